import { Module } from '@nestjs/common';
import { AcquisitionModule } from './acquisition.module';
import {
  ChannelCodeRoutingProcessor,
  ChannelCodeRoutingScheduler,
} from './channel-codes/jobs/channel-code-routing.processor';
import { WelcomeProcessor } from './welcome/jobs/welcome.processor';
import { WelcomeSweeper } from './welcome/welcome-sweeper';

/**
 * The worker's part: the welcome processor (its own queue and concurrency: the priority path) and
 * its sweeper, and the channel codes' routing processor with its every-minute scheduler. The
 * add-contact handler runs in the channels event processor.
 */
@Module({
  imports: [AcquisitionModule],
  providers: [WelcomeProcessor, WelcomeSweeper, ChannelCodeRoutingProcessor, ChannelCodeRoutingScheduler],
})
export class AcquisitionWorkerModule {}
