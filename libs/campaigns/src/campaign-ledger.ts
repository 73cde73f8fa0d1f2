import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OPEN_DELIVERY_STATUSES, sqlList } from './campaigns.constants';

/** One row's new state after a send attempt. */
export interface DeliveryOutcome {
  id: string;
  status: 'sent' | 'submitted' | 'retry' | 'failed' | 'skipped' | 'cancelled';
  reason?: string | null;
  errcode?: number | null;
  error?: string | null;
  providerMessageId?: string | null;
  nextAttemptAt?: Date | null;
  sentAt?: Date | null;
  /** A deferral (rate limit), not a failed attempt: the claim's attempt is given back. */
  refundAttempt?: boolean;
}

const OPEN = sqlList(OPEN_DELIVERY_STATUSES);

const GATE_KEY = `hashtextextended('campaign-claims:' || $1, 0)`;

/**
 * The brand's claim gate, exclusive: taken by every transaction that moves one of the brand's
 * campaigns into or out of `sending` (start, pause, resume, cancel, resend), after it locked the
 * campaign row. It waits for the claims in flight (which hold the gate shared) to commit, so a
 * claim that found no other campaign of the brand sending (see `claimGateShared`) can never overlap
 * with the claims of a campaign that starts or resumes meanwhile.
 */
export async function lockClaimGate(m: EntityManager, brandId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(${GATE_KEY})`, [brandId]);
}

/**
 * Takes the brand's claim gate shared for the claim's transaction, then answers whether another
 * campaign of the brand is sending. When none is, this claim's members cannot be claimed by another
 * campaign until it commits (starting or resuming one waits for the gate), so the per-member row
 * locks that make concurrent campaigns' caps see each other are not needed. Two statements: the
 * check must take its snapshot after the lock is granted.
 */
export async function claimGateShared(
  m: EntityManager,
  brandId: string,
  campaignId: string,
): Promise<boolean> {
  await m.query(`SELECT pg_advisory_xact_lock_shared(${GATE_KEY})`, [brandId]);
  const [{ others }]: Array<{ others: boolean }> = await m.query(
    `SELECT EXISTS (SELECT 1 FROM campaigns WHERE status = 'sending' AND brand_id = $1 AND id <> $2) AS others`,
    [brandId, campaignId],
  );
  return others;
}

/**
 * The delivery ledger's set-based writes: recording outcomes, and keeping each chunk's counts
 * (recomputed from the rows, never incremented) so progress is a sum over chunks.
 */
@Injectable()
export class CampaignLedger {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Applies outcomes to rows still `sending` (a row someone else already finished is left alone). */
  async record(outcomes: DeliveryOutcome[], manager: EntityManager = this.ds.manager): Promise<number> {
    if (outcomes.length === 0) return 0;
    const col = <K extends keyof DeliveryOutcome>(k: K) => outcomes.map((o) => o[k] ?? null);
    const [, count]: [unknown, number] = await manager.query(
      `UPDATE campaign_deliveries d
          SET status = u.status, reason = u.reason, errcode = u.errcode, error = u.error,
              provider_message_id = coalesce(u.pid, d.provider_message_id),
              next_attempt_at = u.next_at, sent_at = coalesce(u.sent_at, d.sent_at),
              lease_until = NULL, updated_at = now(),
              attempts = CASE WHEN u.refund THEN greatest(d.attempts - 1, 0) ELSE d.attempts END
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                     $7::timestamptz[], $8::timestamptz[], $9::boolean[])
              AS u(id, status, reason, errcode, error, pid, next_at, sent_at, refund)
        WHERE d.id = u.id AND d.status = 'sending'`,
      [
        col('id'),
        col('status'),
        col('reason'),
        col('errcode'),
        outcomes.map((o) => (o.error ? o.error.slice(0, 500) : null)),
        col('providerMessageId'),
        col('nextAttemptAt'),
        col('sentAt'),
        outcomes.map((o) => o.refundAttempt === true),
      ],
    );
    return count;
  }

  /**
   * Gives back claimed rows that were not sent (the campaign stopped mid-claim): pending again, or
   * retry for a row that had failed before (it keeps its reason), the claim's attempt refunded.
   */
  async release(ids: string[], manager: EntityManager = this.ds.manager): Promise<number> {
    if (ids.length === 0) return 0;
    const [, count]: [unknown, number] = await manager.query(
      `UPDATE campaign_deliveries
          SET status = CASE WHEN reason IS NULL THEN 'pending' ELSE 'retry' END,
              attempts = greatest(attempts - 1, 0), lease_until = NULL, updated_at = now()
        WHERE id = ANY($1::bigint[]) AND status = 'sending'`,
      [ids],
    );
    return count;
  }

  /**
   * Recomputes `counts` ("variant:status" → rows) of the given chunks (all of the campaign's when
   * `chunkIds` is null) and answers how many open rows each still has.
   */
  async refreshChunks(
    manager: EntityManager,
    campaignId: string,
    chunkIds: string[] | null,
  ): Promise<Array<{ id: string; open: number }>> {
    const rows: Array<{ id: string; open: string }> = await manager.query(
      `WITH s AS (
         SELECT ch.id, coalesce(jsonb_object_agg(x.k, x.n) FILTER (WHERE x.k IS NOT NULL), '{}'::jsonb) AS counts,
                coalesce(sum(x.n) FILTER (WHERE x.status IN (${OPEN})), 0) AS open
           FROM campaign_chunks ch
           LEFT JOIN LATERAL (
             SELECT d.variant || ':' || d.status AS k, d.status, count(*) AS n
               FROM campaign_deliveries d
              WHERE d.campaign_id = ch.campaign_id AND d.id BETWEEN ch.first_id AND ch.last_id
              GROUP BY d.variant, d.status) x ON true
          WHERE ch.campaign_id = $1 AND ($2::bigint[] IS NULL OR ch.id = ANY($2::bigint[]))
          GROUP BY ch.id)
       UPDATE campaign_chunks ch SET counts = s.counts, updated_at = now()
         FROM s WHERE ch.id = s.id
       RETURNING ch.id, s.open`,
      [campaignId, chunkIds],
    );
    return rows.map((r) => ({ id: String(r.id), open: Number(r.open) }));
  }

  /** The chunks holding any of these rows. */
  async chunksOf(manager: EntityManager, campaignId: string, deliveryIds: string[]): Promise<string[]> {
    if (deliveryIds.length === 0) return [];
    const rows: Array<{ id: string }> = await manager.query(
      `SELECT DISTINCT ch.id FROM campaign_chunks ch
         JOIN unnest($2::bigint[]) AS d(id) ON d.id BETWEEN ch.first_id AND ch.last_id
        WHERE ch.campaign_id = $1`,
      [campaignId, deliveryIds],
    );
    return rows.map((r) => String(r.id));
  }
}
