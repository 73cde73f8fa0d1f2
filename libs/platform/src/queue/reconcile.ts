import { Injectable, Logger } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { QueueRegistry } from './queue-registry';

/** A job that should exist in Redis because a Postgres row says its work is still pending. */
export interface ExpectedJob {
  queue: string;
  name: string;
  jobId: string;
  data: unknown;
  opts?: JobsOptions;
}

/**
 * A ledger that holds queued work (work items, deliveries, scheduled sends...). `pending` pages
 * through its open rows by keyset and says which jobs should exist for them.
 */
export interface ReconcileSource {
  readonly name: string;
  pending(cursor: string | null, limit: number): Promise<{ jobs: ExpectedJob[]; next: string | null }>;
}

export interface ReconcileReport {
  checked: number;
  enqueued: number;
  bySource: Record<string, { checked: number; enqueued: number }>;
}

@Injectable()
export class ReconcileRegistry {
  private readonly sources = new Map<string, ReconcileSource>();

  register(source: ReconcileSource): void {
    this.sources.set(source.name, source);
  }

  all(): ReconcileSource[] {
    return [...this.sources.values()];
  }
}

/**
 * Invariant 1: Postgres is the truth, Redis a transport. For every pending row whose job is gone
 * (Redis flushed, a crash between commit and enqueue, a job that ended while its row stayed open),
 * the job is added again under its deterministic id. A job that still waits or runs is left alone.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);
  private running: Promise<ReconcileReport> | null = null;
  private readonly unserved = new Set<string>();

  constructor(
    private readonly sources: ReconcileRegistry,
    private readonly queues: QueueRegistry,
  ) {}

  /** Runs one pass; concurrent callers in this process share the pass in flight. */
  reconcile(pageSize = 500): Promise<ReconcileReport> {
    this.running ??= this.pass(pageSize).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(pageSize: number): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, enqueued: 0, bySource: {} };
    for (const source of this.sources.all()) {
      const stats = { checked: 0, enqueued: 0 };
      let cursor: string | null = null;
      do {
        const page = await source.pending(cursor, pageSize);
        stats.checked += page.jobs.length;
        const added = await Promise.all(page.jobs.map((j) => this.ensure(j)));
        stats.enqueued += added.filter(Boolean).length;
        cursor = page.next;
      } while (cursor !== null);
      report.bySource[source.name] = stats;
      report.checked += stats.checked;
      report.enqueued += stats.enqueued;
    }
    if (report.enqueued > 0) this.logger.warn({ report }, `reconciler re-enqueued ${report.enqueued} job(s)`);
    return report;
  }

  private async ensure(expected: ExpectedJob): Promise<boolean> {
    let queue: Queue;
    try {
      queue = this.queues.byName(expected.queue);
    } catch {
      // Work for a queue this process does not serve (a worker deployed without that lib, or the
      // API's own rows before a worker runs) is left to the processes that do.
      if (!this.unserved.has(expected.queue)) {
        this.unserved.add(expected.queue);
        this.logger.warn({ queue: expected.queue }, `reconciler: queue ${expected.queue} is not served here`);
      }
      return false;
    }
    const existing = await queue.getJob(expected.jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await existing.remove().catch(() => undefined);
    }
    await queue.add(expected.name, expected.data, { ...expected.opts, jobId: expected.jobId });
    return true;
  }
}
