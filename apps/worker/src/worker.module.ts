import { Module } from '@nestjs/common';
import { ChurnWorkerModule, JoinWaysWorkerModule, ReferralsWorkerModule } from '@siyu/acquisition';
import { AcquisitionWorkerModule } from '@siyu/acquisition';
import { CampaignsWorkerModule } from '@siyu/campaigns';
import { ChannelsWorkerModule } from '@siyu/channels';
import { CommerceWorkerModule } from '@siyu/commerce';
import { ConversionsWorkerModule, OrdersIngestWorkerModule } from '@siyu/conversions';
import { CouponsWorkerModule } from '@siyu/coupons';
import { LiveWorkerModule } from '@siyu/live';
import { CommunitiesWorkerModule } from '@siyu/communities';
import { MembersWorkerModule } from '@siyu/members';
import { PartnerFraudWorkerModule, PartnersWorkerModule } from '@siyu/partners';
import { PlatformModule, PlatformWorkerModule } from '@siyu/platform';
import { SegmentsWorkerModule } from '@siyu/segments';
import { TiersWorkerModule } from '@siyu/tiers';

/** The worker process: the platform and every domain lib's processors. No HTTP. */
@Module({
  imports: [
    PlatformModule,
    PlatformWorkerModule,
    MembersWorkerModule,
    CommerceWorkerModule,
    TiersWorkerModule,
    SegmentsWorkerModule,
    ChannelsWorkerModule,
    CommunitiesWorkerModule,
    CampaignsWorkerModule,
    CouponsWorkerModule,
    LiveWorkerModule,
    OrdersIngestWorkerModule,
    ConversionsWorkerModule,
    JoinWaysWorkerModule,
    ReferralsWorkerModule,
    ChurnWorkerModule,
    PartnersWorkerModule,
    PartnerFraudWorkerModule,
    AcquisitionWorkerModule,
  ],
})
export class WorkerModule {}
