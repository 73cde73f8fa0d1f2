import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { MemberTimelineSource } from '@siyu/members';
import { AfterCommit } from '@siyu/platform';
import { EntityManager } from 'typeorm';
import { TierChangeRow, TiersRepository } from './tiers.repository';
import { TIER_CHANGED, TierChangeReason } from './tiers.constants';

/**
 * The `tier.changed` domain event (`@OnEvent('tier.changed')`), emitted in-process after the
 * transaction that changed the tier commits, once per tier_changes row. Delivery is best effort:
 * a process that dies between the commit and the emit loses the events, never the rows. Consumers
 * that need every change exactly once (perk coupons, congratulation messages) read `tier_changes`
 * by id cursor (`WHERE id > :last ORDER BY id`) and keep the cursor in their own transaction; the
 * event is the low-latency nudge to do so.
 */
export interface TierChangedEvent {
  brandId: string;
  memberId: string;
  /** Null when the member had no tier yet. */
  fromTierId: string | null;
  toTierId: string;
  fromRank: number | null;
  toRank: number;
  reason: TierChangeReason;
  /** tier_changes.id (a bigint as a string): the durable record and the consumers' cursor. */
  changeId: string;
  at: Date;
}

export function toTierChangedEvent(c: TierChangeRow): TierChangedEvent {
  const fromRank = c.data.fromRank;
  return {
    brandId: c.brandId,
    memberId: c.memberId,
    fromTierId: c.fromTierId,
    toTierId: c.toTierId,
    fromRank: typeof fromRank === 'number' ? fromRank : null,
    toRank: Number(c.data.toRank),
    reason: c.reason,
    changeId: c.id,
    at: c.at,
  };
}

/** Which tier_changes rows a write made: a run's id range, or the ids themselves. */
export type ChangeSet =
  { kind: 'run'; first: string; last: string; evaluationId: string } | { kind: 'ids'; ids: string[] };

const PAGE = 5_000;

/**
 * The member timeline's `tier.changed` entries, read from tier_changes where they are
 * (MemberTimelineRegistry), and the domain events (after the transaction commits).
 */
export const TIER_TIMELINE_SOURCE: MemberTimelineSource = {
  name: 'tier_change',
  select: `SELECT c.id, NULL::text AS ref, '${TIER_CHANGED}'::text AS type,
                  jsonb_strip_nulls(jsonb_build_object(
                    'changeId', c.id::text, 'reason', c.reason,
                    'fromTierId', c.from_tier_id, 'toTierId', c.to_tier_id,
                    'fromRank', c.data->'fromRank', 'toRank', c.data->'toRank',
                    'fromName', c.data->'fromName', 'toName', c.data->'toName')) AS data,
                  COALESCE(c.actor_type, 'system')::text AS actor_type, c.actor_id, c.at AS occurred_at
             FROM tier_changes c
            WHERE c.brand_id = $1 AND c.member_id = $2`,
};

@Injectable()
export class TierEventsPublisher {
  constructor(
    private readonly repo: TiersRepository,
    private readonly emitter: EventEmitter2,
    private readonly afterCommit: AfterCommit,
  ) {}

  /**
   * Emits the domain events of these changes once the transaction commits. (Their timeline entries
   * need no write: the timeline reads tier_changes itself.)
   */
  async record(m: EntityManager, brandId: string, set: ChangeSet): Promise<void> {
    if (set.kind === 'ids' && set.ids.length === 0) return;
    await this.afterCommit.run(m, async () => {
      await this.publish(brandId, set);
    });
  }

  /** Emits `tier.changed` for committed changes; reads them in pages, and not at all without listeners. */
  async publish(brandId: string, set: ChangeSet): Promise<number> {
    if (this.emitter.listenerCount(TIER_CHANGED) === 0) return 0;
    let emitted = 0;
    if (set.kind === 'ids') {
      for (const c of await this.repo.changesByIds(brandId, set.ids)) {
        this.emitter.emit(TIER_CHANGED, toTierChangedEvent(c));
        emitted++;
      }
      return emitted;
    }
    let after = '0';
    for (;;) {
      const page = await this.repo.changesOfRun(brandId, set.first, set.last, set.evaluationId, after, PAGE);
      for (const c of page) this.emitter.emit(TIER_CHANGED, toTierChangedEvent(c));
      emitted += page.length;
      if (page.length < PAGE) return emitted;
      after = page[page.length - 1].id;
    }
  }
}
