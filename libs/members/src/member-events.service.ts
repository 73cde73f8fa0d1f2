import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { MemberTimelineRegistry } from './member-timeline.registry';

export interface NewMemberEvent {
  brandId: string;
  memberId: string;
  /** Dotted lower-case type: `member.tagged`, `order.paid`, … */
  type: string;
  /** Ids, amounts and field names; never personal values (names, phones). */
  data?: Record<string, unknown>;
  actor?: Actor | null;
  occurredAt?: Date;
}

export interface MemberEventView {
  id: string;
  type: string;
  data: Record<string, unknown>;
  actorType: string | null;
  actorId: string | null;
  occurredAt: Date;
}

interface EventRow {
  src: number;
  id: string;
  ref: string | null;
  type: string;
  data: Record<string, unknown>;
  actor_type: string | null;
  actor_id: string | null;
  occurred_at: Date;
  cursor_at: string;
}

/** The member timeline. Other libs append in their own transaction: `append(manager, {...})`. */
@Injectable()
export class MemberEventsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly sources: MemberTimelineRegistry,
  ) {}

  async append(manager: EntityManager, event: NewMemberEvent): Promise<void> {
    await this.appendMany(manager, [event]);
  }

  async appendMany(manager: EntityManager, events: NewMemberEvent[]): Promise<void> {
    if (events.length === 0) return;
    await manager.query(
      `INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id, occurred_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::text[], $6::uuid[], $7::timestamptz[])`,
      [
        events.map((e) => e.brandId),
        events.map((e) => e.memberId),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data ?? {})),
        events.map((e) => e.actor?.actorType ?? null),
        events.map((e) => e.actor?.actorId ?? null),
        events.map((e) => (e.occurredAt ?? new Date()).toISOString()),
      ],
    );
  }

  /**
   * Set-based append for bulk work (a tier re-evaluation of a million members): `select` yields the
   * columns (brand_id, member_id, type, data, actor_type, actor_id, occurred_at) in that order and
   * runs inside the caller's transaction, so the events never leave Postgres. Returns the count.
   */
  async appendSelect(manager: EntityManager, select: string, params: unknown[]): Promise<number> {
    const rows: Array<{ n: number }> = await manager.query(
      `WITH ins AS (
         INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id, occurred_at)
         ${select}
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
      params,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Newest first, keyset-paginated on (occurred_at, source, id): the member's `member_events` and
   * the entries of registered sources (MemberTimelineRegistry, e.g. tier changes), merged. The
   * caller has checked the member's brand.
   */
  async timeline(
    brandId: string,
    memberId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<MemberEventView>> {
    const after = decodeCursor(cursor, 3) as [string, number, string] | null;
    const params: unknown[] = [brandId, memberId, limit + 1];
    let keyset = '';
    if (after) {
      params.push(after[0], after[1], after[2]);
      keyset = `AND (t.occurred_at, t.src, t.id) < ($4::timestamptz, $5::int, $6::bigint)`;
    }
    const sources = this.sources.sources();
    // Each branch is limited on its own (member_events through its (member_id, occurred_at, id) index).
    const branches = [
      `SELECT 0 AS src, e.id, NULL::text AS ref, e.type, e.data, e.actor_type, e.actor_id, e.occurred_at
         FROM member_events e WHERE e.brand_id = $1 AND e.member_id = $2`,
      ...sources.map(
        (
          s,
          i,
        ) => `SELECT ${i + 1} AS src, s.id, s.ref, s.type, s.data, s.actor_type, s.actor_id, s.occurred_at
                     FROM (${s.select}) s`,
      ),
    ].map(
      (b) => `(SELECT t.* FROM (${b}) t WHERE true ${keyset}
                ORDER BY t.occurred_at DESC, t.src DESC, t.id DESC LIMIT $3)`,
    );
    const rows: EventRow[] = await this.ds.query(
      `SELECT t.*, t.occurred_at::text AS cursor_at FROM (${branches.join(' UNION ALL ')}) t
        ORDER BY t.occurred_at DESC, t.src DESC, t.id DESC
        LIMIT $3`,
      params,
    );
    return toPage(
      rows,
      limit,
      (r) => [r.cursor_at, r.src, String(r.id)],
      (r) => ({
        id: r.src === 0 ? String(r.id) : `${sources[r.src - 1].name}:${r.ref ?? r.id}`,
        type: r.type,
        data: r.data,
        actorType: r.actor_type,
        actorId: r.actor_id,
        occurredAt: r.occurred_at,
      }),
    );
  }
}
