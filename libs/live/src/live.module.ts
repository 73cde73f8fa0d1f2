import { Module } from '@nestjs/common';
import { CampaignsModule } from '@siyu/campaigns';
import { ConversionsModule } from '@siyu/conversions';
import { CouponsModule } from '@siyu/coupons';
import { MembersModule } from '@siyu/members';
import { LiveAudienceResolver } from './live-audience.resolver';
import { LiveRemindersService } from './live-reminders.service';
import { LiveReportService } from './live-report.service';
import { LiveRsvpsService } from './live-rsvps.service';
import { LiveSessionsService } from './live-sessions.service';

const exported = [LiveSessionsService, LiveRemindersService, LiveRsvpsService, LiveReportService];

/**
 * Live commerce: sessions, their reminders (campaigns), RSVPs and report. The `live_session`
 * audience resolver is registered here, so the worker (which snapshots campaign audiences) must
 * import this module too.
 */
@Module({
  imports: [MembersModule, CampaignsModule, CouponsModule, ConversionsModule],
  providers: [...exported, LiveAudienceResolver],
  exports: exported,
})
export class LiveModule {}
