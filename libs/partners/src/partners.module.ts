import { Module } from '@nestjs/common';
import { CommerceModule } from '@siyu/commerce';
import { ConversionsModule } from '@siyu/conversions';
import { CouponsModule } from '@siyu/coupons';
import { PartnerCommissionsService } from './commissions/partner-commissions.service';
import { PartnerLinksService } from './links/partner-links.service';
import { PartnerPayoutSecrets } from './partners/partner-payout-secrets';
import { PartnersService } from './partners/partners.service';
import { PartnersCoreModule } from './partners-core.module';
import { PartnersWiring } from './partners-wiring';
import { PartnerSettlementsService } from './settlements/partner-settlements.service';
import { PartnerTierEvaluationService } from './tiers/partner-tier-evaluation.service';
import { PartnerTierSettingsService } from './tiers/partner-tier-settings.service';
import { PartnerUpliftsService } from './uplifts/partner-uplifts.service';

const exported = [
  PartnersService,
  PartnerTierSettingsService,
  PartnerTierEvaluationService,
  PartnerCommissionsService,
  PartnerUpliftsService,
  PartnerSettlementsService,
  PartnerLinksService,
];

/**
 * The partner programme: partners and their lifecycle, tier settings and scheduled promotion,
 * tracked links and coupon codes, commissions (created in the order's transaction after
 * attribution, hence ConversionsModule), uplifts and settlements.
 */
@Module({
  imports: [PartnersCoreModule, CommerceModule, ConversionsModule, CouponsModule],
  providers: [PartnerPayoutSecrets, PartnersWiring, ...exported],
  exports: [PartnersCoreModule, ...exported],
})
export class PartnersModule {}
