import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { CouponsModule } from '@siyu/coupons';
import { PlatformQueueModule } from '@siyu/platform';
import { AcquisitionCoreModule } from '../acquisition-core.module';
import { JoinWaysModule } from '../join-ways/join-ways.module';
import { ReferralsQueue } from './jobs/referrals.queue';
import { ReferralCampaignsService } from './referral-campaigns.service';
import { ReferralEventsHandler } from './referral-events.handler';
import { ReferralSettlementService } from './referral-settlement.service';
import { ReferralStateResolver } from './referral-state.resolver';

/**
 * Referral fission: campaigns and invites, the callback handlers that count invitees, the `rf_`
 * state resolver (registered with the AcquisitionStateRegistry) and the settlement.
 */
@Module({
  imports: [
    AcquisitionCoreModule,
    ChannelsModule,
    CouponsModule,
    JoinWaysModule,
    PlatformQueueModule.register(ReferralsQueue),
  ],
  providers: [
    ReferralCampaignsService,
    ReferralSettlementService,
    ReferralEventsHandler,
    ReferralStateResolver,
  ],
  exports: [ReferralCampaignsService, ReferralSettlementService, ReferralStateResolver],
})
export class ReferralsModule {}
