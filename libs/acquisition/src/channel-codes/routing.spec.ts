import type { RoutingConfig } from './channel-codes.constants';
import { localClock, routeStaff } from './routing';

const cfg = (over: Partial<RoutingConfig>): RoutingConfig => ({
  rule: 'round_robin',
  dailyCap: null,
  schedule: [],
  ...over,
});
const at = new Date('2026-11-23T02:30:00Z'); // Monday 10:30 in Asia/Shanghai, Sunday 21:30 in New York

describe('channel code routing', () => {
  it('reads the brand-local weekday, time and day', () => {
    expect(localClock(at, 'Asia/Shanghai')).toEqual({ weekday: 1, minutes: 630, day: '2026-11-23' });
    expect(localClock(at, 'America/New_York')).toEqual({ weekday: 7, minutes: 1290, day: '2026-11-22' });
  });

  it('round robin holds every staff member under the daily cap', () => {
    const addsToday = new Map([
      ['a', 5],
      ['b', 2],
    ]);
    const base = { staff: ['a', 'b', 'c'], addsToday, at, timeZone: 'Asia/Shanghai' };
    expect(routeStaff({ ...base, routing: cfg({}) })).toEqual({ users: ['a', 'b', 'c'], saturated: false });
    expect(routeStaff({ ...base, routing: cfg({ dailyCap: 5 }) })).toEqual({
      users: ['b', 'c'],
      saturated: false,
    });
  });

  it('least-loaded holds the members with the fewest adds today', () => {
    const addsToday = new Map([
      ['a', 3],
      ['b', 1],
      ['c', 1],
    ]);
    const r = routeStaff({
      routing: cfg({ rule: 'least_loaded' }),
      staff: ['a', 'b', 'c'],
      addsToday,
      at,
      timeZone: 'Asia/Shanghai',
    });
    expect(r.users).toEqual(['b', 'c']);
  });

  it('schedule holds the staff of the windows open now in the brand zone, under the cap', () => {
    const routing = cfg({
      rule: 'schedule',
      dailyCap: 2,
      schedule: [
        { weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '18:00', staff: ['day1', 'day2'] },
        { weekdays: [6, 7], start: '00:00', end: '23:59', staff: ['weekend'] },
      ],
    });
    const staff = ['day1', 'day2', 'weekend'];
    const sh = routeStaff({ routing, staff, addsToday: new Map(), at, timeZone: 'Asia/Shanghai' });
    expect(sh.users).toEqual(['day1', 'day2']);
    // The same instant is Sunday evening in New York: the weekend staff.
    const ny = routeStaff({ routing, staff, addsToday: new Map(), at, timeZone: 'America/New_York' });
    expect(ny.users).toEqual(['weekend']);
    const capped = routeStaff({
      routing,
      staff,
      addsToday: new Map([['day1', 2]]),
      at,
      timeZone: 'Asia/Shanghai',
    });
    expect(capped.users).toEqual(['day2']);
  });

  it('falls back to the least-loaded member, flagged saturated, when nobody is eligible', () => {
    const r = routeStaff({
      routing: cfg({ dailyCap: 1 }),
      staff: ['a', 'b'],
      addsToday: new Map([
        ['a', 3],
        ['b', 1],
      ]),
      at,
      timeZone: 'Asia/Shanghai',
    });
    expect(r).toEqual({ users: ['b'], saturated: true });
  });
});
