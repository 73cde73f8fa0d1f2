import { Module } from '@nestjs/common';
import { PlatformHttpModule } from '@siyu/platform';
import { ConversionsModule } from './conversions.module';
import { AttributionController, ConversionSettingsController, LinksController } from './links.controller';
import { RedirectServer } from './redirect-server';
import { RedirectRoute } from './redirect.route';

/**
 * The routes: GET /r/:code (public; also on its own lean listener when REDIRECT_PORT is set),
 * /v1/links, /v1/conversion-settings, /v1/attribution.
 */
@Module({
  // PlatformHttpModule for its MetricsService (the API's instance: one module per class in Nest)
  imports: [ConversionsModule, PlatformHttpModule],
  controllers: [LinksController, ConversionSettingsController, AttributionController],
  providers: [RedirectRoute, RedirectServer],
})
export class ConversionsHttpModule {}
