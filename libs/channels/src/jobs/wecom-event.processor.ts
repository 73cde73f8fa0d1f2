import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { WecomEventsService } from '../callback/wecom-events.service';
import { WecomEventJob, WecomEventsQueue } from './channels.queue';

/** Hands one stored WeCom callback event to its registered handlers. */
@Processor(WecomEventsQueue.name, { concurrency: 8 })
export class WecomEventProcessor extends SiyuWorkerHost<WecomEventJob> {
  constructor(private readonly events: WecomEventsService) {
    super();
  }

  handle(job: Job<WecomEventJob>): Promise<string> {
    return this.events.process(job.data.eventId);
  }
}
