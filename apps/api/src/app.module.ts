import { Module } from '@nestjs/common';
import { ChurnHttpModule, JoinWaysHttpModule, ReferralsHttpModule } from '@siyu/acquisition';
import { AcquisitionHttpModule } from '@siyu/acquisition';
import { AnalyticsHttpModule } from '@siyu/analytics';
import { CampaignsHttpModule } from '@siyu/campaigns';
import { ChannelsHttpModule } from '@siyu/channels';
import { CommerceHttpModule } from '@siyu/commerce';
import { ConversionsHttpModule, OrdersIngestHttpModule } from '@siyu/conversions';
import { CouponsHttpModule } from '@siyu/coupons';
import { CommunitiesHttpModule } from '@siyu/communities';
import { DrawsHttpModule } from '@siyu/draws';
import { LiveHttpModule } from '@siyu/live';
import { MemberTokensHttpModule, MembersHttpModule } from '@siyu/members';
import {
  PartnersHttpModule,
  PartnerFraudHttpModule,
  PartnerKpisHttpModule,
  PartnerReconciliationHttpModule,
} from '@siyu/partners';
import { PlatformModule, PlatformHttpModule } from '@siyu/platform';
import { SegmentsHttpModule } from '@siyu/segments';
import { TiersHttpModule } from '@siyu/tiers';

/** The API process: the platform and every domain lib's HTTP module. */
@Module({
  imports: [
    PlatformModule,
    PlatformHttpModule,
    MembersHttpModule,
    CommerceHttpModule,
    TiersHttpModule,
    SegmentsHttpModule,
    ChannelsHttpModule,
    CommunitiesHttpModule,
    CampaignsHttpModule,
    CouponsHttpModule,
    MemberTokensHttpModule,
    DrawsHttpModule,
    LiveHttpModule,
    AnalyticsHttpModule,
    OrdersIngestHttpModule,
    ConversionsHttpModule,
    JoinWaysHttpModule,
    ReferralsHttpModule,
    ChurnHttpModule,
    PartnersHttpModule,
    PartnerFraudHttpModule,
    PartnerReconciliationHttpModule,
    PartnerKpisHttpModule,
    AcquisitionHttpModule,
  ],
})
export class AppModule {}
