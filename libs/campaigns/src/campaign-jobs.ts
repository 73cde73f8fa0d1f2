import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ExpectedJob, ReconcileRegistry } from '@siyu/platform';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { CampaignJob, CampaignsQueue, campaignJobId } from './jobs/campaigns.queue';

export interface PlannedJob {
  job: CampaignJob;
  round?: number;
  runAt?: Date | null;
}

/**
 * Adds campaign jobs under their deterministic ids, and tells the reconciler which jobs the rows
 * say should exist (invariant 1): the start job of a scheduled campaign, a chunk job per open chunk
 * and a collect job per open WeCom task of a sending one, and the finalize job of a cancelled one
 * with work left. Adding after commit may fail (Redis down): the reconciler adds them later.
 */
@Injectable()
export class CampaignJobs implements OnModuleInit {
  private readonly logger = new Logger(CampaignJobs.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(CampaignsQueue.name) private readonly queue: Queue,
    private readonly reconcile: ReconcileRegistry,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({ name: 'campaigns', pending: (cursor, limit) => this.expected(cursor, limit) });
  }

  async add(planned: PlannedJob[]): Promise<void> {
    if (planned.length === 0) return;
    try {
      for (let i = 0; i < planned.length; i += 1_000) {
        await this.queue.addBulk(planned.slice(i, i + 1_000).map((p) => this.toBulk(p)));
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'could not add campaign jobs; the reconciler will');
    }
  }

  /** The jobs every chunk and task still open needs, for a campaign that (again) sends. */
  async openWork(campaignId: string, round: number): Promise<PlannedJob[]> {
    const chunks: Array<{ id: string; not_before: Date | null }> = await this.ds.query(
      `SELECT id, not_before FROM campaign_chunks WHERE campaign_id = $1 AND status = 'open' ORDER BY id`,
      [campaignId],
    );
    const tasks: Array<{ id: string; next_poll_at: Date }> = await this.ds.query(
      `SELECT id, next_poll_at FROM campaign_tasks WHERE campaign_id = $1 AND status = 'open' ORDER BY id`,
      [campaignId],
    );
    return [
      ...chunks.map((c) => ({
        job: { kind: 'chunk', campaignId, chunkId: String(c.id) } as CampaignJob,
        round,
        runAt: c.not_before,
      })),
      ...tasks.map((t) => ({
        job: { kind: 'collect', campaignId, taskId: String(t.id) } as CampaignJob,
        round,
        runAt: t.next_poll_at,
      })),
    ];
  }

  private toBulk(p: PlannedJob) {
    const delay = p.runAt ? Math.max(0, new Date(p.runAt).getTime() - Date.now()) : 0;
    return { name: p.job.kind, data: p.job, opts: { jobId: campaignJobId(p.job, p.round ?? 0), delay } };
  }

  private async expected(
    cursor: string | null,
    limit: number,
  ): Promise<{ jobs: ExpectedJob[]; next: string | null }> {
    const campaigns: Array<{
      id: string;
      status: string;
      schedule_version: number;
      send_at: Date | null;
      round: number;
      open_chunks: boolean;
      open_tasks: boolean;
    }> = await this.ds.query(
      `SELECT c.id, c.status, c.schedule_version, c.send_at, c.round,
              EXISTS (SELECT 1 FROM campaign_chunks ch WHERE ch.campaign_id = c.id AND ch.status = 'open') AS open_chunks,
              EXISTS (SELECT 1 FROM campaign_tasks t WHERE t.campaign_id = c.id AND t.status IN ('submitting', 'open')) AS open_tasks
         FROM campaigns c
        WHERE c.status IN ('scheduled', 'sending', 'cancelled') AND c.id > $1
        ORDER BY c.id LIMIT $2`,
      [cursor ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    const planned: PlannedJob[] = [];
    for (const c of campaigns) {
      if (c.status === 'scheduled')
        planned.push({
          job: { kind: 'start', campaignId: c.id, version: c.schedule_version },
          runAt: c.send_at,
        });
      else if (c.status === 'sending') {
        const work = await this.openWork(c.id, c.round);
        // Nothing open but not completed (a crash between the last chunk and the completion): finish it.
        if (work.length === 0 && !c.open_tasks)
          planned.push({ job: { kind: 'finalize', campaignId: c.id }, round: c.round });
        planned.push(...work);
      } else if (c.open_chunks || c.open_tasks)
        planned.push({ job: { kind: 'finalize', campaignId: c.id }, round: c.round });
    }
    return {
      jobs: planned.map((p) => {
        const b = this.toBulk(p);
        return {
          queue: CampaignsQueue.name,
          name: b.name,
          jobId: b.opts.jobId,
          data: b.data,
          opts: { delay: b.opts.delay },
        };
      }),
      next: campaigns.length === limit ? campaigns[campaigns.length - 1].id : null,
    };
  }
}
