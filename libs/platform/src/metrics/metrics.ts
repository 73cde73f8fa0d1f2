import { Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Gauge, Histogram, register } from 'prom-client';
import { QueueRegistry } from '../queue/queue-registry';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'failed',
  'completed',
  'prioritized',
  'waiting-children',
] as const;

/** HTTP latency histogram and per-queue job counts (read from Redis at scrape time). */
@Injectable()
export class MetricsService implements OnModuleInit {
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor(private readonly queues: QueueRegistry) {
    this.httpDuration =
      (register.getSingleMetric('http_request_duration_seconds') as Histogram<
        'method' | 'route' | 'status_code'
      >) ??
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request latency by method, route pattern and status code',
        labelNames: ['method', 'route', 'status_code'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      });
  }

  onModuleInit(): void {
    register.removeSingleMetric('bullmq_queue_jobs');
    const queues = this.queues;
    new Gauge({
      name: 'bullmq_queue_jobs',
      help: 'Jobs per BullMQ queue and state (queue depth)',
      labelNames: ['queue', 'state'],
      async collect() {
        this.reset();
        await Promise.all(
          queues.all().map(async (q) => {
            const counts = await q.getJobCounts(...STATES).catch(() => null);
            if (!counts) return;
            for (const s of STATES) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
          }),
        );
      },
    });
  }

  /** Observes every response's latency under its route pattern (not its raw URL). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions?.url ?? 'unmatched';
      if (route === '/metrics') return;
      this.httpDuration.observe(
        { method: req.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  }
}
