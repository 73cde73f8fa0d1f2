import { dueAt } from './reminder-plan';

const LA = 'America/Los_Angeles';

describe('reminder plan: due instants', () => {
  // 2027-03-14 is the US spring-forward day: 20:00 PDT = 03:00Z on the 15th.
  const start = new Date('2027-03-15T03:00:00Z');
  const end = new Date('2027-03-15T05:00:00Z');

  it('day_before keeps the wall-clock time across spring-forward: 23 h before', () => {
    const at = dueAt({ kind: 'day_before' }, start, end, LA);
    expect(at.toISOString()).toBe('2027-03-14T04:00:00.000Z');
    expect((start.getTime() - at.getTime()) / 3_600_000).toBe(23);
  });

  it('day_before across fall-back is 25 h before', () => {
    // 2027-11-07 is the US fall-back day: 20:00 PST = 04:00Z on the 8th; the 6th 20:00 PDT = 03:00Z on the 7th.
    const s = new Date('2027-11-08T04:00:00Z');
    expect(dueAt({ kind: 'day_before' }, s, end, LA).toISOString()).toBe('2027-11-07T03:00:00.000Z');
  });

  it('before_start is an exact duration; now_live the start; after_end after the end', () => {
    expect(dueAt({ kind: 'before_start', minutes: 60 }, start, end, LA).toISOString()).toBe(
      '2027-03-15T02:00:00.000Z',
    );
    expect(dueAt({ kind: 'now_live' }, start, end, LA)).toEqual(start);
    expect(dueAt({ kind: 'after_end', minutes: 30 }, start, end, LA).toISOString()).toBe(
      '2027-03-15T05:30:00.000Z',
    );
  });

  it('day_before in Asia/Shanghai is 24 h before', () => {
    const s = new Date('2027-03-15T12:00:00Z');
    expect(dueAt({ kind: 'day_before' }, s, end, 'Asia/Shanghai').toISOString()).toBe(
      '2027-03-14T12:00:00.000Z',
    );
  });
});
