import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import type { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { eventTime, int, isExternal, memChangeList, text } from '../common/callback-fields';
import { JOIN_SCENE_QR } from './join-ways.constants';
import { JoinWaysService } from './join-ways.service';
import {
  JOIN_WAY_CHECK_DELAY_MS,
  JOIN_WAY_CHECK_JOB,
  joinWayCheckJobId,
  JoinWaysQueue,
} from './jobs/join-ways.queue';

export const JOIN_WAY_EVENTS_HANDLER = 'acquisition.join-ways';

/**
 * `change_external_chat` update/add_member with JoinScene 3 (joined by a join way's QR code) and a
 * State that is one of the brand's join ways: the customers who joined are counted for it, then a
 * delayed check rolls the join way over if the group is now full (the check reads member counts the
 * communities handler writes in the same transaction, so it runs after the commit).
 */
@Injectable()
export class JoinWayEventsHandler implements OnModuleInit {
  private readonly logger = new Logger(JoinWayEventsHandler.name);

  constructor(
    private readonly registry: WecomEventRegistry,
    private readonly joinWays: JoinWaysService,
    @InjectQueue(JoinWaysQueue.name) private readonly queue: Queue,
  ) {}

  onModuleInit(): void {
    this.registry.on('change_external_chat', (e, m) => this.handle(e, m), JOIN_WAY_EVENTS_HANDLER);
  }

  async handle(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const f = event.fields;
    if (event.changeType !== 'update' || text(f.UpdateDetail) !== 'add_member') return;
    if (int(f.JoinScene) !== JOIN_SCENE_QR) return;
    const state = text(f.State, 30);
    const chatId = text(f.ChatId);
    if (!state || !chatId) return;
    const joined = memChangeList(f.MemChangeList).filter(isExternal);
    const id = await this.joinWays.recordJoins(m, event.brandId, state, chatId, joined, eventTime(event));
    if (!id) return;
    try {
      await this.queue.add(
        JOIN_WAY_CHECK_JOB,
        { brandId: event.brandId, joinWayId: id },
        { jobId: joinWayCheckJobId(id, event.id), delay: JOIN_WAY_CHECK_DELAY_MS },
      );
    } catch (err) {
      // The periodic sweep finds a full group all the same.
      this.logger.warn({ err: (err as Error).message, joinWayId: id }, 'could not queue a join way check');
    }
  }
}
