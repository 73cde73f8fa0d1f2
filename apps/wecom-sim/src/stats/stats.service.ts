import { Injectable } from '@nestjs/common';

export interface ApiStats {
  calls: number;
  ok: number;
  errors: Record<string, number>;
}

/** Counters per /cgi-bin API: calls and errors by errcode. O(1) per call. */
@Injectable()
export class StatsService {
  private calls = new Map<string, number>();
  private errors = new Map<string, Map<number | string, number>>();
  private callbacks = new Map<string, number>();

  recordCall(api: string): void {
    this.calls.set(api, (this.calls.get(api) ?? 0) + 1);
  }

  /** `errcode` is the reply's errcode, or `refused` / `hung` for an outage that gave no reply. */
  recordError(api: string, errcode: number | string): void {
    let byCode = this.errors.get(api);
    if (!byCode) this.errors.set(api, (byCode = new Map()));
    byCode.set(errcode, (byCode.get(errcode) ?? 0) + 1);
  }

  recordCallback(outcome: string): void {
    this.callbacks.set(outcome, (this.callbacks.get(outcome) ?? 0) + 1);
  }

  apis(): Record<string, ApiStats> {
    const out: Record<string, ApiStats> = {};
    for (const [api, calls] of this.calls) {
      const errors: Record<string, number> = {};
      let failed = 0;
      for (const [code, n] of this.errors.get(api) ?? []) {
        errors[String(code)] = n;
        failed += n;
      }
      out[api] = { calls, ok: calls - failed, errors };
    }
    return out;
  }

  callbackOutcomes(): Record<string, number> {
    return Object.fromEntries(this.callbacks);
  }

  reset(): void {
    this.calls = new Map();
    this.errors = new Map();
    this.callbacks = new Map();
  }
}
