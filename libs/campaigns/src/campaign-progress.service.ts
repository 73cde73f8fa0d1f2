import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CampaignStatus, DELIVERY_STATUSES, DeliveryStatus, FINAL_STATUSES } from './campaigns.constants';
import { CampaignException } from './campaigns.errors';
import { Campaign } from './entities/campaign.entity';

export type StatusCounts = Record<DeliveryStatus, number>;

export interface CampaignProgress {
  campaignId: string;
  status: CampaignStatus;
  audienceSize: number | null;
  counts: StatusCounts;
  /** Rows with a final outcome (sent, skipped, failed, cancelled). */
  finished: number;
  /** Rows still to be sent or confirmed (pending, retry, sending, submitted). */
  remaining: number;
  /** Finished rows per second since the campaign started sending. */
  ratePerSecond: number | null;
  etaSeconds: number | null;
  heldUntil: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  failureReason: string | null;
  /** Why rows were skipped, failed or cancelled, most frequent first. */
  reasons: Array<{ status: DeliveryStatus; reason: string; count: number }>;
  /** The same counts per A/B variant. */
  variants: Array<{ variant: number; name: string; counts: StatusCounts }>;
  tasks: { open: number; done: number; cancelled: number; unknown: number };
}

const zero = (): StatusCounts => Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as StatusCounts;
const FINISHED: DeliveryStatus[] = ['sent', 'skipped', 'failed', 'cancelled'];

/**
 * A campaign's progress from its rows: counts summed over the chunks (each kept exact by the engine),
 * reasons from the ledger's partial index, WeCom tasks by status. Cheap enough to poll every second.
 */
@Injectable()
export class CampaignProgressService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async progress(brandId: string, id: string): Promise<CampaignProgress> {
    const c = await this.ds.getRepository(Campaign).findOneBy({ id, brandId });
    if (!c) throw CampaignException.notFound(id);
    const chunks: Array<{ k: string; n: string }> = await this.ds.query(
      `SELECT kv.key AS k, sum(kv.value::bigint) AS n
         FROM campaign_chunks ch, jsonb_each_text(ch.counts) kv
        WHERE ch.campaign_id = $1 GROUP BY kv.key`,
      [id],
    );
    const counts = zero();
    const byVariant = new Map<number, StatusCounts>();
    for (const { k, n } of chunks) {
      const [variant, status] = k.split(':') as [string, DeliveryStatus];
      counts[status] += Number(n);
      const v = byVariant.get(Number(variant)) ?? zero();
      v[status] += Number(n);
      byVariant.set(Number(variant), v);
    }
    const reasons: Array<{ status: DeliveryStatus; reason: string; count: string }> = await this.ds.query(
      `SELECT status, coalesce(reason, 'unknown') AS reason, count(*) AS count FROM campaign_deliveries
        WHERE campaign_id = $1 AND status IN ('skipped', 'failed', 'cancelled')
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
      [id],
    );
    const tasks: Array<{ status: string; n: string }> = await this.ds.query(
      `SELECT status, count(*) AS n FROM campaign_tasks WHERE campaign_id = $1 GROUP BY 1`,
      [id],
    );
    const task = (s: string) => Number(tasks.find((t) => t.status === s)?.n ?? 0);
    const finished = FINISHED.reduce((a, s) => a + counts[s], 0);
    const remaining = counts.pending + counts.retry + counts.sending + counts.submitted;
    const end = c.completedAt ?? (FINAL_STATUSES.includes(c.status) ? c.updatedAt : new Date());
    const elapsed = c.startedAt ? (end.getTime() - c.startedAt.getTime()) / 1000 : 0;
    const rate = c.startedAt && elapsed > 0 ? finished / elapsed : null;
    return {
      campaignId: c.id,
      status: c.status,
      audienceSize: c.audienceSize,
      counts,
      finished,
      remaining,
      ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
      etaSeconds:
        c.status === 'sending' && rate && rate > 0 ? Math.ceil(remaining / rate) : remaining === 0 ? 0 : null,
      heldUntil: c.heldUntil,
      startedAt: c.startedAt,
      completedAt: c.completedAt,
      failureReason: c.failureReason,
      reasons: reasons.map((r) => ({ status: r.status, reason: r.reason, count: Number(r.count) })),
      variants: c.variants.map((v, i) => ({ variant: i, name: v.name, counts: byVariant.get(i) ?? zero() })),
      tasks: {
        open: task('open') + task('submitting'),
        done: task('done'),
        cancelled: task('cancelled'),
        unknown: task('unknown'),
      },
    };
  }
}
