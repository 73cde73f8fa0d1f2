import {
  instantToLocal,
  localToInstant,
  quietHoursEnd,
  startOfLocalDay,
  zoneSchedules,
} from './campaign-time';

describe('campaign time rules', () => {
  describe('localToInstant', () => {
    it('reads a local date-time in the zone (Shanghai is UTC+8, no DST)', () => {
      expect(localToInstant('2026-11-11T20:00', 'Asia/Shanghai')).toEqual({
        at: new Date('2026-11-11T12:00:00Z'),
        local: '2026-11-11T20:00:00',
        adjustment: null,
      });
    });

    it('Los Angeles on the spring-forward day: 10:00 is PDT, 01:30 is still PST', () => {
      expect(localToInstant('2026-03-08T10:00', 'America/Los_Angeles')?.at).toEqual(
        new Date('2026-03-08T17:00:00Z'),
      );
      expect(localToInstant('2026-03-08T01:30', 'America/Los_Angeles')?.at).toEqual(
        new Date('2026-03-08T09:30:00Z'),
      );
    });

    it('a time in the spring-forward gap (02:30 does not exist) moves forward by the gap', () => {
      expect(localToInstant('2026-03-08T02:30', 'America/Los_Angeles')).toEqual({
        at: new Date('2026-03-08T10:30:00Z'),
        local: '2026-03-08T03:30:00',
        adjustment: 'skipped_forward',
      });
    });

    it('a time in the fall-back hour (01:30 happens twice) takes the first, PDT', () => {
      expect(localToInstant('2026-11-01T01:30', 'America/Los_Angeles')).toEqual({
        at: new Date('2026-11-01T08:30:00Z'),
        local: '2026-11-01T01:30:00',
        adjustment: 'ambiguous_earlier',
      });
      expect(localToInstant('2026-11-01T03:00', 'America/Los_Angeles')?.adjustment).toBeNull();
    });

    it('refuses what is not a date-time', () => {
      expect(localToInstant('2026-02-30T10:00', 'Asia/Shanghai')).toBeNull();
      expect(localToInstant('tomorrow', 'Asia/Shanghai')).toBeNull();
      expect(localToInstant('2026-03-08 10:00', 'Asia/Shanghai')).toBeNull();
    });

    it('shows an instant back as local time', () => {
      expect(instantToLocal(new Date('2026-03-08T10:30:00Z'), 'America/Los_Angeles')).toBe(
        '2026-03-08T03:30:00',
      );
    });
  });

  describe('quietHoursEnd', () => {
    const at = (iso: string) => new Date(iso);
    it('a window across midnight (22:00–08:00 Shanghai): inside late and early, outside by day', () => {
      expect(quietHoursEnd(at('2026-06-01T15:00:00Z'), 'Asia/Shanghai', '22:00', '08:00')).toEqual(
        at('2026-06-02T00:00:00Z'),
      );
      expect(quietHoursEnd(at('2026-06-01T23:30:00Z'), 'Asia/Shanghai', '22:00:00', '08:00:00')).toEqual(
        at('2026-06-02T00:00:00Z'),
      );
      expect(quietHoursEnd(at('2026-06-01T02:00:00Z'), 'Asia/Shanghai', '22:00', '08:00')).toBeNull();
      expect(quietHoursEnd(at('2026-06-01T13:59:00Z'), 'Asia/Shanghai', '22:00', '08:00')).toBeNull();
    });

    it('a window within one day, none, and an empty window', () => {
      expect(quietHoursEnd(at('2026-06-01T05:30:00Z'), 'Asia/Shanghai', '13:00', '14:00')).toEqual(
        at('2026-06-01T06:00:00Z'),
      );
      expect(quietHoursEnd(at('2026-06-01T05:30:00Z'), 'Asia/Shanghai', null, null)).toBeNull();
      expect(quietHoursEnd(at('2026-06-01T05:30:00Z'), 'Asia/Shanghai', '13:00', '13:00')).toBeNull();
    });

    it('ends at the local end time across a DST switch (LA, 2026-03-08)', () => {
      // 01:00 PST is inside 00:00–06:00; 06:00 that day is PDT (13:00Z), not 14:00Z.
      expect(quietHoursEnd(at('2026-03-08T09:00:00Z'), 'America/Los_Angeles', '00:00', '06:00')).toEqual(
        at('2026-03-08T13:00:00Z'),
      );
    });
  });

  it('the China natural day WeCom counts its limits in', () => {
    expect(startOfLocalDay(new Date('2026-06-01T17:00:00Z'), 'Asia/Shanghai')).toEqual(
      new Date('2026-06-01T16:00:00Z'),
    );
  });
  describe('zoneSchedules (each member at their own local time)', () => {
    it('reads one wall-clock time in every zone, earliest first, with DST per zone', () => {
      const plan = zoneSchedules(
        '2026-03-08T02:30',
        ['America/Los_Angeles', 'Asia/Shanghai', 'Europe/London', 'Asia/Shanghai'],
        null,
      );
      expect(plan).toEqual([
        // Shanghai is 16 h ahead of LA's PST: its 02:30 comes first.
        {
          timeZone: 'Asia/Shanghai',
          at: new Date('2026-03-07T18:30:00Z'),
          adjustment: null,
          heldByQuietHours: false,
        },
        {
          timeZone: 'Europe/London',
          at: new Date('2026-03-08T02:30:00Z'),
          adjustment: null,
          heldByQuietHours: false,
        },
        // LA springs forward that night: 02:30 does not exist and moves to 03:30 PDT.
        {
          timeZone: 'America/Los_Angeles',
          at: new Date('2026-03-08T10:30:00Z'),
          adjustment: 'skipped_forward',
          heldByQuietHours: false,
        },
      ]);
    });

    it("moves a zone's time out of the brand's quiet hours read in that zone, and drops unknown zones", () => {
      const plan = zoneSchedules('2026-11-11T07:30', ['Asia/Tokyo', 'Mars/Olympus', 'Europe/Paris'], {
        start: '22:00',
        end: '08:00',
      });
      expect(plan.map((p) => [p.timeZone, p.at.toISOString(), p.heldByQuietHours])).toEqual([
        ['Asia/Tokyo', '2026-11-10T23:00:00.000Z', true], // 08:00 JST
        ['Europe/Paris', '2026-11-11T07:00:00.000Z', true], // 08:00 CET
      ]);
      expect(zoneSchedules('2026-11-11T09:00', ['Asia/Tokyo'], { start: '22:00', end: '08:00' })[0]).toEqual({
        timeZone: 'Asia/Tokyo',
        at: new Date('2026-11-11T00:00:00Z'),
        adjustment: null,
        heldByQuietHours: false,
      });
    });
  });
});
