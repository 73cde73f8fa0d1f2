import { SimClock } from '../common/sim-clock';
import type { FaultsAddDto } from './fault-rule.dto';
import { FaultService } from './fault.service';

function draws(seed: number, n: number): boolean[] {
  const faults = new FaultService(new SimClock());
  faults.add({ seed, rules: [{ path: 'add_msg_template', errcode: 45033, rate: 0.3 }] } as FaultsAddDto);
  return Array.from({ length: n }, () => faults.injectedError('externalcontact/add_msg_template') !== null);
}

describe('FaultService', () => {
  it('fails the same calls for the same seed, and about `rate` of them', () => {
    const a = draws(42, 2000);
    expect(draws(42, 2000)).toEqual(a);
    expect(draws(43, 2000)).not.toEqual(a);
    const rate = a.filter(Boolean).length / a.length;
    expect(rate).toBeGreaterThan(0.25);
    expect(rate).toBeLessThan(0.35);
  });

  it('matches a rule by the API’s trailing segments only', () => {
    const faults = new FaultService(new SimClock());
    faults.add({ rules: [{ path: 'template/send', errcode: -1 }] } as FaultsAddDto);
    expect(faults.injectedError('message/template/send')).toMatchObject({ errcode: -1 });
    expect(faults.injectedError('message/subscribe/send')).toBeNull();
    expect(faults.injectedError('message/xtemplate/send')).toBeNull();
  });

  it('limits calls per second per account or per sender', () => {
    const clock = new SimClock();
    const faults = new FaultService(clock);
    faults.add({
      rules: [
        { path: 'add_msg_template', rateLimit: { perSecond: 2, by: 'sender' } },
        { path: 'message/template/send', rateLimit: { perSecond: 1 } },
      ],
    } as FaultsAddDto);
    const api = 'externalcontact/add_msg_template';
    clock.advance(1000 - (clock.now() % 1000) + 1); // start of a second
    expect([1, 2, 3].map(() => faults.rateLimited(api, 'corp', 'zhangsan'))).toEqual([false, false, true]);
    expect(faults.rateLimited(api, 'corp', 'lisi')).toBe(false);
    expect(faults.rateLimited('message/template/send', 'wx1', undefined)).toBe(false);
    expect(faults.rateLimited('message/template/send', 'wx1', undefined)).toBe(true);
    expect(faults.rateLimited('message/template/send', 'wx2', undefined)).toBe(false);
    clock.advance(1000);
    expect(faults.rateLimited(api, 'corp', 'zhangsan')).toBe(false);
  });

  it('opens and closes an outage window on the simulator clock', () => {
    const clock = new SimClock();
    const faults = new FaultService(clock);
    faults.add({
      rules: [{ outage: { startInMs: 1000, durationMs: 500, mode: 'hang', hangMs: 50 } }],
    } as FaultsAddDto);
    expect(faults.outage('gettoken')).toBeNull();
    clock.advance(1200);
    expect(faults.outage('gettoken')).toEqual({ mode: 'hang', hangMs: 50 });
    clock.advance(400);
    expect(faults.outage('gettoken')).toBeNull();
  });

  it('draws latency within the range and sums matching rules', () => {
    const faults = new FaultService(new SimClock());
    faults.add({
      seed: 1,
      rules: [{ latencyMs: [10, 20] }, { path: 'gettoken', latencyMs: 5 }],
    } as FaultsAddDto);
    for (let i = 0; i < 100; i++) {
      const ms = faults.latency('gettoken');
      expect(ms).toBeGreaterThanOrEqual(15);
      expect(ms).toBeLessThanOrEqual(25);
    }
  });

  it('refuses rules without an effect and bad latency', () => {
    const faults = new FaultService(new SimClock());
    expect(() => faults.add({ rules: [{ path: 'x' }] } as FaultsAddDto)).toThrow(/no effect/);
    expect(() => faults.add({ rules: [{ latencyMs: [20, 10] }] } as FaultsAddDto)).toThrow(/latencyMs/);
    faults.add({ rules: [{ errcode: -1 }] } as FaultsAddDto);
    expect(faults.active).toBe(true);
    faults.clear();
    expect(faults.active).toBe(false);
  });
});
