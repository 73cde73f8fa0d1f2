import autocannon from 'autocannon';
import { round } from './output';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSec: number;
  /** A run of this length with the same settings goes first and is discarded; 0 skips it. */
  warmupSec: number;
}

export interface LoadSummary {
  /** Mean requests per second over the measured run (autocannon samples once a second). */
  rps: number;
  /** Latency percentiles of 2xx responses, milliseconds (autocannon's resolution is ~1 ms). */
  p50Ms: number;
  p99Ms: number;
  /** Completed requests in the measured run. */
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** Drives `url` with autocannon: an optional discarded warm-up, then the measured run. */
export async function runLoad(o: LoadOptions): Promise<LoadSummary> {
  const base = { url: o.url, connections: o.connections };
  if (o.warmupSec > 0) await autocannon({ ...base, duration: o.warmupSec });
  const r = await autocannon({ ...base, duration: o.durationSec });
  return {
    rps: round(r.requests.average, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}
