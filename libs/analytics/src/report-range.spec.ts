import { ValidationException } from '@siyu/platform';
import { localMonths, resolveRange } from './report-range';

describe('report ranges', () => {
  it('turns brand-local days into UTC instants, DST included', () => {
    // America/Los_Angeles springs forward on 2025-03-09: that local day has 23 hours
    const r = resolveRange({ from: '2025-03-09', to: '2025-03-09' }, 'America/Los_Angeles');
    expect(r.start.toISOString()).toBe('2025-03-09T08:00:00.000Z');
    expect(r.end.toISOString()).toBe('2025-03-10T07:00:00.000Z');
    const sh = resolveRange({ from: '2025-01-01', to: '2025-12-31' }, 'Asia/Shanghai');
    expect(sh.start.toISOString()).toBe('2024-12-31T16:00:00.000Z');
    expect(sh.end.toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });

  it('defaults to the twelve months up to today, brand time', () => {
    // 2026-03-01 02:00 UTC is already 10:00 on 2026-03-01 in Shanghai, still 2026-02-28 in Los Angeles
    const now = new Date('2026-03-01T02:00:00Z');
    expect(resolveRange({}, 'Asia/Shanghai', now)).toMatchObject({ from: '2025-03-02', to: '2026-03-01' });
    expect(resolveRange({}, 'America/Los_Angeles', now)).toMatchObject({
      from: '2025-03-01',
      to: '2026-02-28',
    });
  });

  it('refuses from after to (naming from) and over-long ranges (naming to)', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationException);
        return (err as ValidationException).errors?.[0]?.field;
      }
      throw new Error('did not throw');
    };
    expect(field(() => resolveRange({ from: '2025-02-02', to: '2025-02-01' }, 'UTC'))).toBe('from');
    expect(field(() => resolveRange({ from: '2000-01-01', to: '2025-02-01' }, 'UTC'))).toBe('to');
  });

  it('lists brand-local months with a closing bound', () => {
    const m = localMonths(
      new Date('2025-01-31T16:30:00Z'),
      new Date('2025-03-15T00:00:00Z'),
      'Asia/Shanghai',
    );
    // 2025-01-31 16:30 UTC is 2025-02-01 00:30 in Shanghai: the first month is February
    expect(m.labels).toEqual(['2025-02', '2025-03', '2025-04']);
    expect(m.starts.map((d) => d.toISOString())).toEqual([
      '2025-01-31T16:00:00.000Z',
      '2025-02-28T16:00:00.000Z',
      '2025-03-31T16:00:00.000Z',
    ]);
  });
});
