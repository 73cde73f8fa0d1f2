import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { CommunitiesModule } from '@siyu/communities';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { SegmentsModule } from '@siyu/segments';
import { CampaignAudienceSql } from './campaign-audience';
import { CampaignEngine } from './campaign-engine.service';
import { CampaignJobs } from './campaign-jobs';
import { CampaignLedger } from './campaign-ledger';
import { CampaignMemberHooks } from './campaign-member-hooks';
import { CampaignProgressService } from './campaign-progress.service';
import { CampaignRenderer } from './campaign-renderer';
import { CampaignsService } from './campaigns.service';
import { CampaignVariableRegistry } from './content/campaign-variables';
import { CampaignsQueue } from './jobs/campaigns.queue';

const exported = [CampaignsService, CampaignProgressService, CampaignVariableRegistry, CampaignEngine];

/**
 * Campaigns: drafts, scheduling, the delivery ledger and its engine. Other libs use it through
 * index.ts (live reminders are campaigns; coupons and links register variable resolvers).
 */
@Module({
  imports: [
    MembersModule,
    SegmentsModule,
    CommunitiesModule,
    ChannelsModule,
    PlatformQueueModule.register(CampaignsQueue),
  ],
  providers: [
    ...exported,
    CampaignAudienceSql,
    CampaignJobs,
    CampaignLedger,
    CampaignRenderer,
    CampaignMemberHooks,
  ],
  exports: exported,
})
export class CampaignsModule {}
