import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { CommunitiesModule } from '@siyu/communities';
import { ConversionsModule } from '@siyu/conversions';
import { CouponsModule } from '@siyu/coupons';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { AcquisitionCoreModule } from './acquisition-core.module';
import { ChannelCodesService } from './channel-codes/channel-codes.service';
import { ContactAddedHandler } from './channel-codes/contact-added.handler';
import { ChannelCodeRoutingQueue } from './channel-codes/jobs/channel-code-routing.queue';
import { AcquisitionReportService } from './reports/acquisition-report.service';
import { WelcomeQueue } from './welcome/jobs/welcome.queue';
import { WelcomeRenderer } from './welcome/welcome-renderer';
import { WelcomeService } from './welcome/welcome.service';

const exported = [ChannelCodesService, WelcomeService, AcquisitionReportService];

/**
 * Channel codes, the add-contact handler (registered on the WeCom event registry; it runs after
 * the communities handler, which this module imports, in the same transaction), the welcome
 * priority path and the acquisition report. For the API, the worker and other libs through index.ts.
 */
@Module({
  imports: [
    AcquisitionCoreModule,
    ChannelsModule,
    CommunitiesModule,
    MembersModule,
    CouponsModule,
    ConversionsModule,
    PlatformQueueModule.register(WelcomeQueue, ChannelCodeRoutingQueue),
  ],
  providers: [...exported, WelcomeRenderer, ContactAddedHandler],
  exports: [...exported, AcquisitionCoreModule],
})
export class AcquisitionModule {}
