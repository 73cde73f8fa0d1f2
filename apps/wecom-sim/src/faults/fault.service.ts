import { BadRequestException, Injectable } from '@nestjs/common';
import { seededRandom } from '../common/seeded-random';
import { SimClock } from '../common/sim-clock';
import { errmsgFor } from '../wecom-errors';
import type { FaultRuleDto, FaultsAddDto, OutageMode, RateLimitKey } from './fault-rule.dto';

interface ActiveRule {
  id: number;
  path: string | null;
  error?: { errcode: number; rate: number; errmsg: string };
  latency?: { min: number; max: number };
  outage?: { from: number; to: number; mode: OutageMode; hangMs: number | null };
  rateLimit?: {
    perSecond: number;
    by: RateLimitKey;
    windows: Map<string, { second: number; count: number }>;
  };
  random: () => number;
  spec: FaultRuleDto;
}

export interface OutageDecision {
  mode: OutageMode;
  hangMs: number;
}

function validLatency(latency: FaultRuleDto['latencyMs']): { min: number; max: number } | undefined {
  if (latency === undefined) return undefined;
  const [min, max] = Array.isArray(latency) ? latency : [latency, latency];
  const ok =
    (Array.isArray(latency) ? latency.length === 2 : true) && min >= 0 && max >= min && max <= 600_000;
  if (!ok) throw new BadRequestException('latencyMs must be ms >= 0 or [min, max] with 0 <= min <= max');
  return { min, max };
}

/**
 * Fault injection for the /cgi-bin APIs: error rates per errcode, added latency, outage windows
 * and per-account rate limits. Each rule draws from its own PRNG, seeded from the request's seed
 * and the rule's position, so a seeded run fails the same calls every time.
 */
@Injectable()
export class FaultService {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  constructor(private readonly clock: SimClock) {}

  get active(): boolean {
    return this.rules.length > 0;
  }

  add(dto: FaultsAddDto): number[] {
    const baseSeed = dto.seed ?? Math.floor(Math.random() * 2 ** 31);
    const now = this.clock.now();
    const added = dto.rules.map((spec, i): ActiveRule => {
      const rule: ActiveRule = {
        id: this.nextId++,
        path: spec.path && spec.path !== '*' ? spec.path.replace(/^\/?(cgi-bin\/)?/, '') : null,
        random: seededRandom(baseSeed + i * 0x9e3779b1),
        latency: validLatency(spec.latencyMs),
        spec,
      };
      if (spec.errcode !== undefined) {
        rule.error = {
          errcode: spec.errcode,
          rate: spec.rate ?? 1,
          errmsg: spec.errmsg ?? errmsgFor(spec.errcode),
        };
      }
      if (spec.outage) {
        const from = now + (spec.outage.startInMs ?? 0);
        rule.outage = {
          from,
          to: from + spec.outage.durationMs,
          mode: spec.outage.mode ?? 'error',
          hangMs: spec.outage.hangMs ?? null,
        };
      }
      if (spec.rateLimit) {
        rule.rateLimit = {
          perSecond: spec.rateLimit.perSecond,
          by: spec.rateLimit.by ?? 'account',
          windows: new Map(),
        };
      }
      if (!rule.error && !rule.latency && !rule.outage && !rule.rateLimit) {
        throw new BadRequestException(
          `rule ${i} has no effect: give errcode, latencyMs, outage or rateLimit`,
        );
      }
      return rule;
    });
    this.rules.push(...added);
    return added.map((r) => r.id);
  }

  list(): Array<FaultRuleDto & { id: number }> {
    return this.rules.map((r) => ({ id: r.id, ...r.spec }));
  }

  clear(): void {
    this.rules = [];
  }

  outage(api: string): OutageDecision | null {
    const now = this.clock.now();
    for (const rule of this.rules) {
      const o = rule.outage;
      if (o && now >= o.from && now < o.to && this.matches(rule, api)) {
        return { mode: o.mode, hangMs: o.hangMs ?? o.to - now };
      }
    }
    return null;
  }

  /** Total added latency (ms) for one call. */
  latency(api: string): number {
    let total = 0;
    for (const rule of this.rules) {
      const l = rule.latency;
      if (l && this.matches(rule, api))
        total += l.min === l.max ? l.min : l.min + rule.random() * (l.max - l.min);
    }
    return total;
  }

  /** True when this call goes over a rate limit; the call counts against the window either way. */
  rateLimited(api: string, account: string, sender: string | undefined): boolean {
    let limited = false;
    const second = Math.floor(this.clock.now() / 1000);
    for (const rule of this.rules) {
      const rl = rule.rateLimit;
      if (!rl || !this.matches(rule, api)) continue;
      const key = rl.by === 'sender' && sender ? `${account}/${sender}` : account;
      let window = rl.windows.get(key);
      if (!window || window.second !== second) {
        window = { second, count: 0 };
        rl.windows.set(key, window);
      }
      if (++window.count > rl.perSecond) limited = true;
    }
    return limited;
  }

  /** The injected error for this call, if a rule's draw says so. */
  injectedError(api: string): { errcode: number; errmsg: string } | null {
    for (const rule of this.rules) {
      const e = rule.error;
      if (e && this.matches(rule, api) && (e.rate >= 1 || rule.random() < e.rate)) return e;
    }
    return null;
  }

  private matches(rule: ActiveRule, api: string): boolean {
    const p = rule.path;
    return (
      p === null || api === p || (api.endsWith(p) && api.charCodeAt(api.length - p.length - 1) === 47) /* / */
    );
  }
}
