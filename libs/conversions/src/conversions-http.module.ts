import { Module } from '@nestjs/common';
import { ConversionsModule } from './conversions.module';
import { AttributionController, ConversionSettingsController, LinksController } from './links.controller';
import { RedirectRoute } from './redirect.route';

/** The routes: GET /r/:code (public), /v1/links, /v1/conversion-settings, /v1/attribution. */
@Module({
  imports: [ConversionsModule],
  controllers: [LinksController, ConversionSettingsController, AttributionController],
  providers: [RedirectRoute],
})
export class ConversionsHttpModule {}
