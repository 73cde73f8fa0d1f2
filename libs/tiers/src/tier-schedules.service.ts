import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ExpectedJob, jobId, ReconcileRegistry } from '@siyu/platform';
import type { JobSchedulerJson, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { TIER_CATCH_UP_JOB, TIER_SCHEDULED_JOB, TierJob, TiersQueue } from './jobs/tiers.queue';
import { cronPattern, previousSlot } from './tier-time';
import { TierReevaluation } from './tiers.constants';

export interface ScheduleSpec {
  brandId: string;
  reevaluation: TierReevaluation;
  reevaluationTime: string;
  timeZone: string;
}

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

export const tierSchedulerId = (brandId: string) => jobId('tiers-reevaluate', brandId);
export const tierCatchUpJobId = (brandId: string, slot: Date) =>
  jobId('tiers-catchup', brandId, slot.getTime());

/**
 * One BullMQ job scheduler per brand with a ladder, firing at the ladder's re-evaluation time in
 * the brand's time zone (a cron pattern with `tz`). Postgres is the truth: the platform's reconcile
 * pass (at worker start and every RECONCILE_INTERVAL_MS) walks tier_ladders, re-declares any
 * scheduler that is missing or out of date (a flushed Redis, a changed brand time zone) and adds a
 * catch-up job for every brand whose last evaluation is older than its latest due slot.
 */
@Injectable()
export class TierSchedulesService implements OnModuleInit {
  private readonly logger = new Logger(TierSchedulesService.name);

  constructor(
    @InjectQueue(TiersQueue.name) private readonly queue: Queue<TierJob>,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reconcile: ReconcileRegistry,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({
      name: 'tier_schedules',
      pending: (cursor, limit) => this.pending(cursor, limit),
    });
  }

  /** Declares (or updates) the brand's scheduler; a no-op when Redis already has it as specified. */
  async ensure(s: ScheduleSpec): Promise<boolean> {
    const id = tierSchedulerId(s.brandId);
    const pattern = cronPattern(s.reevaluation, s.reevaluationTime);
    const existing = await this.queue.getJobScheduler(id);
    if (existing?.pattern === pattern && existing.tz === s.timeZone) return false;
    await this.queue.upsertJobScheduler(
      id,
      { pattern, tz: s.timeZone },
      { name: TIER_SCHEDULED_JOB, data: { brandId: s.brandId } },
    );
    return true;
  }

  /** Best effort after a ladder save: Redis being down must not fail the save (the reconciler heals it). */
  async ensureQuietly(s: ScheduleSpec): Promise<void> {
    try {
      await this.ensure(s);
    } catch (err) {
      this.logger.warn({ err, brandId: s.brandId }, 'could not declare the tier re-evaluation scheduler');
    }
  }

  async scheduler(brandId: string): Promise<JobSchedulerJson<TierJob> | undefined> {
    return this.queue.getJobScheduler(tierSchedulerId(brandId));
  }

  private async pending(
    cursor: string | null,
    limit: number,
  ): Promise<{ jobs: ExpectedJob[]; next: string | null }> {
    const rows: Array<{
      brand_id: string;
      reevaluation: TierReevaluation;
      reevaluation_time: string;
      last_evaluated_at: Date | null;
      created_at: Date;
      time_zone: string;
    }> = await this.ds.query(
      `SELECT l.brand_id, l.reevaluation, l.reevaluation_time, l.last_evaluated_at, l.created_at, b.time_zone
         FROM tier_ladders l JOIN brands b ON b.id = l.brand_id
        WHERE l.brand_id > $1 ORDER BY l.brand_id LIMIT $2`,
      [cursor ?? FIRST_UUID, limit],
    );
    const now = new Date();
    const jobs: ExpectedJob[] = [];
    for (const r of rows) {
      const spec = {
        brandId: r.brand_id,
        reevaluation: r.reevaluation,
        reevaluationTime: r.reevaluation_time,
        timeZone: r.time_zone,
      };
      if (await this.ensure(spec)) this.logger.warn({ brandId: r.brand_id }, 'tier scheduler re-declared');
      const slot = previousSlot(now, r.time_zone, r.reevaluation, r.reevaluation_time);
      if ((r.last_evaluated_at ?? r.created_at) < slot) {
        jobs.push({
          queue: TiersQueue.name,
          name: TIER_CATCH_UP_JOB,
          jobId: tierCatchUpJobId(r.brand_id, slot),
          data: { brandId: r.brand_id },
        });
      }
    }
    return { jobs, next: rows.length === limit ? rows[rows.length - 1].brand_id : null };
  }
}
