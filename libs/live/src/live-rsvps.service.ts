import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { LiveStatus } from './live.constants';
import { LiveException } from './live.errors';

/** Who RSVPs: the member themself (not audited: members' own actions are not operator changes) or an operator. */
export type RsvpCaller = { brandId: string; member: true } | (Actor & { member?: false });

export interface RsvpResult {
  sessionId: string;
  memberId: string;
  subscribed: boolean;
  /** False when the call changed nothing (already subscribed / not subscribed). */
  changed: boolean;
  rsvpCount: number;
}

/**
 * RSVPs: one row per (session, member), so subscribing twice is a no-op; the session's count moves in
 * the same transaction as the row, only when a row was inserted or deleted.
 */
@Injectable()
export class LiveRsvpsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async subscribe(actor: RsvpCaller, sessionId: string, memberId: string): Promise<RsvpResult> {
    return this.ds.transaction(async (m) => {
      await this.open(m, actor.brandId, sessionId, 'RSVP to');
      await this.member(m, actor.brandId, memberId);
      const inserted: unknown[] = await m.query(
        `INSERT INTO live_rsvps (session_id, member_id, brand_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING member_id`,
        [sessionId, memberId, actor.brandId],
      );
      return this.count(m, actor, sessionId, memberId, true, inserted.length > 0);
    });
  }

  async unsubscribe(actor: RsvpCaller, sessionId: string, memberId: string): Promise<RsvpResult> {
    return this.ds.transaction(async (m) => {
      await this.open(m, actor.brandId, sessionId, 'withdraw an RSVP to');
      const [deleted]: [unknown[], number] = await m.query(
        `DELETE FROM live_rsvps WHERE session_id = $1 AND member_id = $2 AND brand_id = $3 RETURNING member_id`,
        [sessionId, memberId, actor.brandId],
      );
      return this.count(m, actor, sessionId, memberId, false, deleted.length > 0);
    });
  }

  private async count(
    m: EntityManager,
    actor: RsvpCaller,
    sessionId: string,
    memberId: string,
    subscribed: boolean,
    changed: boolean,
  ): Promise<RsvpResult> {
    const [[row]]: [[{ rsvp_count: number }]] = await m.query(
      `UPDATE live_sessions SET rsvp_count = rsvp_count + $2 WHERE id = $1 RETURNING rsvp_count`,
      [sessionId, changed ? (subscribed ? 1 : -1) : 0],
    );
    if (changed && !actor.member)
      await this.audit.record(m, actor, {
        action: subscribed ? 'live_session.rsvp' : 'live_session.rsvp_withdrawn',
        entityType: 'live_session',
        entityId: sessionId,
        after: { memberId },
      });
    return { sessionId, memberId, subscribed, changed, rsvpCount: row.rsvp_count };
  }

  /** Locks the session row (RSVPs of one session serialise on it) and checks it is not over. */
  private async open(m: EntityManager, brandId: string, id: string, action: string): Promise<void> {
    const [s]: Array<{ status: LiveStatus }> = await m.query(
      `SELECT status FROM live_sessions WHERE id = $1 AND brand_id = $2 FOR UPDATE`,
      [id, brandId],
    );
    if (!s) throw LiveException.notFound(id);
    if (s.status !== 'planned' && s.status !== 'live')
      throw LiveException.invalidState(action, s.status, ['planned', 'live']);
  }

  private async member(m: EntityManager, brandId: string, id: string): Promise<void> {
    const [row] = await m.query(
      `SELECT 1 FROM members WHERE id = $1 AND brand_id = $2 AND erased_at IS NULL AND merged_into IS NULL`,
      [id, brandId],
    );
    if (!row) throw LiveException.memberNotFound(id);
  }
}
