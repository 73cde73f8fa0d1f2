import { Module } from '@nestjs/common';
import { ChannelsModule } from './channels.module';
import { WecomEventProcessor } from './jobs/wecom-event.processor';

/** The worker's part: hands stored WeCom callback events to the registered handlers. */
@Module({
  imports: [ChannelsModule],
  providers: [WecomEventProcessor],
})
export class ChannelsWorkerModule {}
