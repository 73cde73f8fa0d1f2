import { Module } from '@nestjs/common';
import { ReferralCampaignsController, ReferralPostersController } from './referral-campaigns.controller';
import { ReferralsModule } from './referrals.module';

/** /v1/acquisition/referral-campaigns and the public /v1/acquisition/referral-posters/:code */
@Module({ imports: [ReferralsModule], controllers: [ReferralCampaignsController, ReferralPostersController] })
export class ReferralsHttpModule {}
