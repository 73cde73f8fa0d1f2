import { Module } from '@nestjs/common';
import { CampaignsModule } from '@siyu/campaigns';
import { CommerceModule } from '@siyu/commerce';
import { AttributionService } from './attribution.service';
import { ClickRecorder } from './click-recorder.service';
import { ConversionSettingsService } from './conversion-settings.service';
import { ConversionsWiring } from './conversions-wiring';
import { LinkResolver } from './link-resolver.service';
import { LinksService } from './links.service';

const exported = [LinksService, ConversionSettingsService, AttributionService, LinkResolver, ClickRecorder];

/**
 * Conversions: tracked links behind a domain allowlist, per-recipient campaign links, the redirect's
 * cache and click transport, and attribution of orders (coupon, link code, last click).
 */
@Module({
  imports: [CommerceModule, CampaignsModule],
  providers: [ConversionsWiring, ...exported],
  exports: exported,
})
export class ConversionsModule {}
