import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberMergeRegistry } from '@siyu/members';
import { Actor, AuditService, WorkItem, WorkService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { RfmRecomputePayload, RFM_RECOMPUTE_JOB, SegmentsQueue } from './jobs/segments.queue';
import { RFM_GROUP_RULES, rfmGroupSql } from './rfm.constants';

export interface RfmSummary {
  computedAt: Date | null;
  scoredMembers: number;
  pending: boolean;
  groups: Array<{ group: string; label: string; members: number }>;
}

/**
 * RFM in SQL. Over the brand's members with at least one paid order (merged tombstones excluded,
 * erased members kept: their aggregates stay), three quintiles by NTILE(5), 5 being best:
 * R by last paid order (more recent is better), F by paid order count, M by paid spend net of
 * refunds. Ties are broken by the other measures, then by member id, so a run is deterministic.
 * The group comes from R and FM = round((F + M) / 2) (see RFM_GROUP_RULES).
 */
export const RFM_SQL = `
WITH base AS (
  SELECT m.id, m.last_order_at, m.order_count, m.paid_spend_minor
    FROM members m
   WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.order_count > 0 AND m.last_order_at IS NOT NULL
), scored AS (
  SELECT id, last_order_at, order_count, paid_spend_minor,
         ntile(5) OVER (ORDER BY last_order_at, order_count, paid_spend_minor, id) AS r,
         ntile(5) OVER (ORDER BY order_count, last_order_at, paid_spend_minor, id) AS f,
         ntile(5) OVER (ORDER BY paid_spend_minor, order_count, last_order_at, id) AS m
    FROM base
), ins AS (
  INSERT INTO member_rfm (member_id, brand_id, last_order_at, frequency, monetary_minor, r, f, m, rfm_group, computed_at)
  SELECT id, $1, last_order_at, order_count, paid_spend_minor, r, f, m, ${rfmGroupSql('r', 'f', 'm')}, $2
    FROM scored
  RETURNING 1
)
SELECT count(*)::int AS n FROM ins`;

@Injectable()
export class RfmService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly work: WorkService,
    private readonly audit: AuditService,
    private readonly merges: MemberMergeRegistry,
  ) {}

  onModuleInit(): void {
    // The survivor's aggregates change with a merge; both rows are stale until the next run.
    this.merges.register('member_rfm', async (m, { brandId, mergedId }) => {
      await m.query(`DELETE FROM member_rfm WHERE brand_id = $1 AND member_id = $2`, [brandId, mergedId]);
    });
  }

  /** Replaces the brand's scores in `m` (the work item's transaction); one run per brand at a time. */
  async recompute(
    m: EntityManager,
    brandId: string,
    trigger: RfmRecomputePayload['trigger'],
    now = new Date(),
  ): Promise<{ scoredMembers: number; computedAt: Date }> {
    const started = Date.now();
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('rfm:' || $1))`, [brandId]);
    await m.query(`DELETE FROM member_rfm WHERE brand_id = $1`, [brandId]);
    const [{ n }]: Array<{ n: number }> = await m.query(RFM_SQL, [brandId, now]);
    await m.query(
      `INSERT INTO rfm_runs (brand_id, computed_at, scored_members, trigger, duration_ms)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (brand_id) DO UPDATE SET computed_at = EXCLUDED.computed_at, scored_members = EXCLUDED.scored_members,
         trigger = EXCLUDED.trigger, duration_ms = EXCLUDED.duration_ms`,
      [brandId, now, n, trigger, Date.now() - started],
    );
    return { scoredMembers: n, computedAt: now };
  }

  /** The open recompute of the brand, if one is queued or running. */
  private async open(brandId: string): Promise<WorkItem | null> {
    const rows: Array<{ id: string; status: WorkItem['status'] }> = await this.ds.query(
      `SELECT id, status FROM work_items
        WHERE queue = $1 AND name = $2 AND brand_id = $3 AND status IN ('pending', 'running')
        ORDER BY id LIMIT 1`,
      [SegmentsQueue.name, RFM_RECOMPUTE_JOB, brandId],
    );
    return rows[0] ? Object.assign(new WorkItem(), { id: String(rows[0].id), status: rows[0].status }) : null;
  }

  /** POST /v1/segments/rfm/recompute: queues a run (or answers the one already queued). Audited. */
  async requestRecompute(actor: Actor): Promise<WorkItem> {
    const open = await this.open(actor.brandId);
    if (open) return open;
    const payload: RfmRecomputePayload = { brandId: actor.brandId, trigger: 'manual' };
    const rows = await this.ds.transaction(async (m) => {
      const created = await this.work.create(m, SegmentsQueue, [
        { name: RFM_RECOMPUTE_JOB, brandId: actor.brandId, payload: { ...payload } },
      ]);
      await this.audit.record(m, actor, {
        action: 'rfm.recompute_request',
        entityType: 'work_item',
        entityId: created[0].id,
      });
      return created;
    });
    await this.work.dispatch(rows);
    return rows[0];
  }

  /** The nightly run of one brand-local day: one work item per day, however often it is asked for. */
  async enqueueNightly(brandId: string, localDay: string): Promise<WorkItem> {
    const payload: RfmRecomputePayload = { brandId, trigger: 'nightly' };
    const [item] = await this.work.enqueue(SegmentsQueue, [
      {
        name: RFM_RECOMPUTE_JOB,
        brandId,
        payload: { ...payload },
        dedupeKey: `rfm-nightly-${brandId}-${localDay}`,
      },
    ]);
    return item;
  }

  async summary(brandId: string): Promise<RfmSummary> {
    const [run]: Array<{ computed_at: Date; scored_members: number }> = await this.ds.query(
      `SELECT computed_at, scored_members FROM rfm_runs WHERE brand_id = $1`,
      [brandId],
    );
    const counts: Array<{ rfm_group: string; n: number }> = await this.ds.query(
      `SELECT rfm_group, count(*)::int AS n FROM member_rfm WHERE brand_id = $1 GROUP BY rfm_group`,
      [brandId],
    );
    const by = new Map(counts.map((c) => [c.rfm_group, c.n]));
    return {
      computedAt: run?.computed_at ?? null,
      scoredMembers: run?.scored_members ?? 0,
      pending: (await this.open(brandId)) !== null,
      groups: RFM_GROUP_RULES.map((g) => ({ group: g.group, label: g.label, members: by.get(g.group) ?? 0 })),
    };
  }
}
