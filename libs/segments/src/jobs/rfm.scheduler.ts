import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, QueueRegistry } from '@siyu/platform';
import type { Queue } from 'bullmq';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { RFM_NIGHTLY_CRON } from '../rfm.constants';
import { RfmService } from '../rfm.service';
import { RFM_TICK_JOB, RfmScheduleQueue, rfmSchedulerId, RfmTick } from './segments.queue';

const [CRON_MINUTE, CRON_HOUR] = RFM_NIGHTLY_CRON.split(' ').map(Number);

/** The latest nightly run time (brand-local) at or before `now`, and its brand-local day. */
export function lastNightlyRun(now: Date, timeZone: string): { at: Date; day: string } {
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  let due = local.set({ hour: CRON_HOUR, minute: CRON_MINUTE, second: 0, millisecond: 0 });
  if (due > local) due = due.minus({ days: 1 });
  return { at: due.toJSDate(), day: due.toISODate() as string };
}

export interface RfmSyncReport {
  declared: number;
  removed: number;
  caughtUp: number;
}

/**
 * Keeps one BullMQ job scheduler per brand (cron RFM_NIGHTLY_CRON in the brand's time zone) in
 * step with the brands table, at start-up and on every reconcile interval: a flushed Redis, a new
 * brand or a changed time zone is picked up within one interval. Postgres stays the truth: a brand
 * whose last run (`rfm_runs`) is older than its last due time gets that night's run as a work item
 * (one per brand-local day), so a night missed during an outage is caught up.
 */
@Injectable()
export class RfmScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RfmScheduler.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<RfmSyncReport> | null = null;

  constructor(
    private readonly queues: QueueRegistry,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly rfm: RfmService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync().catch((err: unknown) => this.logger.warn({ err }, 'RFM scheduler sync failed'));
    this.timer = setInterval(
      () => void this.sync().catch((err: unknown) => this.logger.warn({ err }, 'RFM scheduler sync failed')),
      this.config.get('RECONCILE_INTERVAL_MS'),
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; concurrent callers share it. */
  sync(now = new Date()): Promise<RfmSyncReport> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  private get queue(): Queue<RfmTick> {
    return this.queues.get(RfmScheduleQueue);
  }

  private async pass(now: Date): Promise<RfmSyncReport> {
    const brands: Array<{ id: string; time_zone: string; created_at: Date; computed_at: Date | null }> =
      await this.ds.query(
        `SELECT b.id, b.time_zone, b.created_at, r.computed_at
           FROM brands b LEFT JOIN rfm_runs r ON r.brand_id = b.id ORDER BY b.id`,
      );
    const existing = new Map((await this.queue.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
    const report: RfmSyncReport = { declared: 0, removed: 0, caughtUp: 0 };
    const wanted = new Set<string>();
    for (const b of brands) {
      const id = rfmSchedulerId(b.id);
      wanted.add(id);
      const current = existing.get(id);
      if (!current || current.tz !== b.time_zone || current.pattern !== RFM_NIGHTLY_CRON) {
        await this.queue.upsertJobScheduler(
          id,
          { pattern: RFM_NIGHTLY_CRON, tz: b.time_zone },
          { name: RFM_TICK_JOB, data: { brandId: b.id } },
        );
        report.declared++;
      }
      const due = lastNightlyRun(now, b.time_zone);
      if (new Date(b.created_at) < due.at && (!b.computed_at || new Date(b.computed_at) < due.at)) {
        const item = await this.rfm.enqueueNightly(b.id, due.day);
        if (item.status === 'pending') report.caughtUp++;
      }
    }
    for (const key of existing.keys()) {
      if (!wanted.has(key) && key.startsWith('rfm-')) {
        await this.queue.removeJobScheduler(key);
        report.removed++;
      }
    }
    if (report.declared + report.removed + report.caughtUp > 0)
      this.logger.log({ report }, 'RFM schedulers synced');
    return report;
  }
}
