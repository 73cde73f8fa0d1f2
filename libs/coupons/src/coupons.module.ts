import { Module } from '@nestjs/common';
import { CampaignsModule } from '@siyu/campaigns';
import { DrawsModule } from '@siyu/draws';
import { CommerceModule } from '@siyu/commerce';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { SegmentsModule } from '@siyu/segments';
import { CouponBatchesService } from './coupon-batches.service';
import { CouponExpiryService } from './coupon-expiry.service';
import { CouponIssuingService } from './coupon-issuing.service';
import { CouponRedemptionService } from './coupon-redemption.service';
import { CouponTemplatesService } from './coupon-templates.service';
import { CouponTierPerksService } from './coupon-tier-perks.service';
import { CouponsRepository } from './coupons.repository';
import { CouponsWiring } from './coupons-wiring';
import { CouponsQueue } from './jobs/coupons.queue';

const exported = [
  CouponIssuingService,
  CouponTemplatesService,
  CouponRedemptionService,
  CouponBatchesService,
  CouponTierPerksService,
  CouponExpiryService,
];

/**
 * Coupons: templates, codes, issuing (member, segment, campaign variable, tier perk, and other libs
 * through CouponIssuingService), validation, redemption with orders, rollback, expiry.
 */
@Module({
  imports: [
    MembersModule,
    CommerceModule,
    SegmentsModule,
    CampaignsModule,
    DrawsModule,
    PlatformQueueModule.register(CouponsQueue),
  ],
  providers: [CouponsRepository, CouponsWiring, ...exported],
  // The repository goes to CouponsHttpModule's controller only (index.ts does not export it).
  exports: [...exported, CouponsRepository],
})
export class CouponsModule {}
