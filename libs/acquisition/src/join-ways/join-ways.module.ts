import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { PlatformQueueModule } from '@siyu/platform';
import { AcquisitionCoreModule } from '../acquisition-core.module';
import { JoinWayEventsHandler } from './join-way-events.handler';
import { JoinWaysService } from './join-ways.service';
import { JoinWaysQueue } from './jobs/join-ways.queue';
import { WecomWaysClient } from './wecom-ways.client';

/**
 * Group codes: the service, the WeCom join-way calls, and the change_external_chat handler that
 * counts joins (registered here, run by the channels event processor in the worker).
 */
@Module({
  imports: [AcquisitionCoreModule, ChannelsModule, PlatformQueueModule.register(JoinWaysQueue)],
  providers: [JoinWaysService, WecomWaysClient, JoinWayEventsHandler],
  exports: [JoinWaysService, WecomWaysClient],
})
export class JoinWaysModule {}
