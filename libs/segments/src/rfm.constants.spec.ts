import { fmScore, RFM_GROUPS, rfmGroupOf } from './rfm.constants';
import { lastNightlyRun } from './jobs/rfm.scheduler';

describe('RFM groups', () => {
  it('place every score triple in exactly one documented group', () => {
    const seen = new Set<string>();
    for (let r = 1; r <= 5; r++)
      for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) seen.add(rfmGroupOf(r, f, m));
    expect([...seen].sort()).toEqual([...RFM_GROUPS].sort());
  });

  it('read FM as the mean of F and M rounded half up', () => {
    expect(fmScore(1, 1)).toBe(1);
    expect(fmScore(1, 2)).toBe(2);
    expect(fmScore(4, 5)).toBe(5);
    expect(rfmGroupOf(5, 5, 4)).toBe('champions');
    expect(rfmGroupOf(5, 1, 1)).toBe('new');
    expect(rfmGroupOf(1, 1, 1)).toBe('lost');
    expect(rfmGroupOf(2, 1, 1)).toBe('hibernating');
    expect(rfmGroupOf(1, 5, 5)).toBe('cant_lose_them');
    expect(rfmGroupOf(2, 3, 4)).toBe('at_risk');
    expect(rfmGroupOf(3, 3, 3)).toBe('need_attention');
  });
});

describe('the nightly RFM run time', () => {
  it('is 04:00 in the brand’s time zone, the latest one at or before now', () => {
    // 2026-03-10 19:30 UTC is 03:30 on the 11th in Shanghai: the last run was the 10th at 04:00
    expect(lastNightlyRun(new Date('2026-03-10T19:30:00Z'), 'Asia/Shanghai')).toEqual({
      at: new Date('2026-03-09T20:00:00Z'),
      day: '2026-03-10',
    });
    // 20:00 UTC is exactly 04:00 on the 11th in Shanghai
    expect(lastNightlyRun(new Date('2026-03-10T20:00:00Z'), 'Asia/Shanghai').day).toBe('2026-03-11');
    // Los Angeles around the spring-forward night (2026-03-08): 04:00 PDT is 11:00 UTC
    expect(lastNightlyRun(new Date('2026-03-08T11:30:00Z'), 'America/Los_Angeles')).toEqual({
      at: new Date('2026-03-08T11:00:00Z'),
      day: '2026-03-08',
    });
    expect(lastNightlyRun(new Date('2026-03-08T10:30:00Z'), 'America/Los_Angeles')).toEqual({
      at: new Date('2026-03-07T12:00:00Z'),
      day: '2026-03-07',
    });
  });
});
