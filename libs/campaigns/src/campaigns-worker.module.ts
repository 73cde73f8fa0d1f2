import { Module } from '@nestjs/common';
import { CampaignsModule } from './campaigns.module';
import { CampaignProcessor } from './jobs/campaign.processor';

/** The worker's part: the campaign processor (start, chunk, collect, finalize). */
@Module({ imports: [CampaignsModule], providers: [CampaignProcessor] })
export class CampaignsWorkerModule {}
