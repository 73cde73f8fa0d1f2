import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONE = 'Asia/Shanghai';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A small deterministic generator, so a failure can be replayed. */
function lcg(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((s / 2_147_483_648) * n); // the high bits: an LCG's low bits cycle
  };
}

/** ISO week (`2026-W47`) of an instant, on the calendar of `zone`: computed here without SQL. */
function isoWeek(at: Date, zone: string): string {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  })
    .format(at)
    .split('-')
    .map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const year = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = (s.length - 1) / 2;
  const v = (s[Math.floor(mid)] + s[Math.ceil(mid)]) / 2;
  return Math.round(v * 100) / 100;
}

interface Row {
  codeKey: string;
  codeLabel: string;
  source: string;
  staff: string;
  addedAt: Date;
  welcomed: boolean;
  endedAt: Date | null;
  firstOrderAt: Date | null;
}

describe('acquisition report: figures on a generated data set match an independent computation (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  /** Writes the data set straight into the tables, and keeps what the JS side needs to recompute the report. */
  async function generate(brand: TestBrand): Promise<Row[]> {
    const rnd = lcg(20_261_122);
    const now = Date.now();
    const staff = ['s-1', 's-2', 's-3'];
    const staffIds = new Map<string, string>();
    for (const u of staff) {
      const [r] = await ds.query(
        `INSERT INTO community_staff (brand_id, userid) VALUES ($1, $2) RETURNING id`,
        [brand.id, u],
      );
      staffIds.set(u, r.id);
    }
    const codes: Array<{ id: string; name: string; source: string }> = [];
    for (const [name, source] of [
      ['Poster', 'store'],
      ['Douyin', 'douyin'],
    ]) {
      const [c] = await ds.query(
        `INSERT INTO acquisition_channel_codes (brand_id, name, state, type, source_channel, staff, active_staff)
         VALUES ($1, $2, $3, 'multi', $4, $5, $5) RETURNING id`,
        [brand.id, name, `st-${name}`, source, staff],
      );
      codes.push({ id: c.id, name, source });
    }
    const members: string[] = (
      await ds.query(
        `INSERT INTO members (brand_id, source_channel) SELECT $1, 'wecom' FROM generate_series(1, 40) RETURNING id`,
        [brand.id],
      )
    ).map((r: { id: string }) => r.id);
    // Orders: each member 0–3 over the last 40 days, at whole hours, some before their add; one in five cancelled.
    const orders = new Map<string, Array<{ at: Date; cancelled: boolean }>>();
    let n = 0;
    for (const m of members) {
      const list = Array.from({ length: rnd(4) }, () => ({
        at: new Date(now - rnd(40 * 24) * HOUR - 30 * 60_000),
        cancelled: rnd(5) === 0,
      }));
      orders.set(m, list);
      for (const o of list)
        await ds.query(
          `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, placed_at)
           VALUES ($1, $2, 'store', $3, $4, 'CNY', 1000, $5)`,
          [brand.id, m, `o-${n++}`, o.cancelled ? 'cancelled' : 'paid', o.at],
        );
    }
    const rows: Row[] = [];
    for (let i = 0; i < 120; i++) {
      const k = rnd(5); // 0–1 Poster, 2–3 Douyin, 4 a registry kind (no code)
      const code = k < 2 ? codes[0] : k < 4 ? codes[1] : null;
      const u = staff[rnd(3)];
      const external = `wm-rep-${i}`;
      const memberId = rnd(6) === 0 ? null : members[rnd(members.length)];
      // Whole hours plus 30 minutes back, over ~9 weeks: never on a 7- or 30-day boundary.
      const addedAt = new Date(now - rnd(63 * 24) * HOUR - 30 * 60_000);
      const source = code ? code.source : 'bilibili';
      const [c] = await ds.query(
        `INSERT INTO acquisition_contacts (brand_id, code_id, kind, state, staff_userid, external_userid, member_id, source_channel, added_at)
         VALUES ($1, $2, $3, 's', $4, $5, $6, $7, $8) RETURNING id`,
        [
          brand.id,
          code?.id ?? null,
          code ? 'channel_code' : 'referral',
          u,
          external,
          memberId,
          source,
          addedAt,
        ],
      );
      const w = rnd(3);
      const welcomed = w === 0;
      if (w < 2)
        await ds.query(
          `INSERT INTO acquisition_welcomes (brand_id, contact_id, welcome_code, message, status, received_at, expires_at)
           VALUES ($1, $2, 'wc', '{"text":"hi"}', $3, $4, $4)`,
          [brand.id, c.id, welcomed ? 'sent' : 'expired', addedAt],
        );
      // The relationship: ended within a day or 0–40 days after the add for a third of them; one ended before this add (an older cycle).
      const f = rnd(6);
      let endedAt: Date | null = null;
      let endedCol: Date | null = null;
      if (f < 2)
        endedCol = endedAt = new Date(
          addedAt.getTime() + rnd(rnd(3) === 0 ? 24 : 40 * 24) * HOUR + rnd(60) * 60_000,
        );
      else if (f === 2) endedCol = new Date(addedAt.getTime() - 5 * DAY);
      if (endedCol && endedCol.getTime() > now) endedCol = endedAt = null;
      await ds.query(
        `INSERT INTO community_contact_follows (brand_id, staff_id, external_userid, member_id, status, added_at, ended_at, ended_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          brand.id,
          staffIds.get(u),
          external,
          memberId,
          endedCol ? 'ended' : 'active',
          addedAt,
          endedCol,
          endedCol ? 'customer' : null,
        ],
      );
      const paid = memberId ? (orders.get(memberId) ?? []).filter((o) => !o.cancelled) : [];
      const first = paid.length ? new Date(Math.min(...paid.map((o) => o.at.getTime()))) : null;
      rows.push({
        codeKey: code?.id ?? 'referral',
        codeLabel: code?.name ?? 'referral',
        source,
        staff: u,
        addedAt,
        welcomed,
        endedAt,
        firstOrderAt: first,
      });
    }
    return rows;
  }

  /** The report recomputed in JS from the rows the test wrote. */
  function expected(rows: Row[], now: number) {
    const groups = new Map<
      string,
      { dimension: string; key: string; label: string; cohort: string; rows: Row[] }
    >();
    const add = (dimension: string, key: string, label: string, cohort: string, r: Row) => {
      const id = [dimension, key, cohort].join('|');
      const g = groups.get(id) ?? { dimension, key, label, cohort, rows: [] };
      g.rows.push(r);
      groups.set(id, g);
    };
    for (const r of rows) {
      for (const cohort of [isoWeek(r.addedAt, ZONE), 'all']) {
        add('code', r.codeKey, r.codeLabel, cohort, r);
        add('source', r.source, r.source, cohort, r);
        add('staff', r.staff, r.staff, cohort, r);
      }
    }
    const within = (r: Row, days: number) =>
      r.endedAt !== null && r.endedAt.getTime() < r.addedAt.getTime() + days * DAY;
    const old = (r: Row, days: number) => r.addedAt.getTime() + days * DAY <= now;
    return [...groups.values()].map((g) => {
      const firsts = g.rows.filter((r) => r.firstOrderAt && r.firstOrderAt >= r.addedAt);
      return {
        dimension: g.dimension,
        key: g.key,
        label: g.label,
        cohort: g.cohort,
        adds: g.rows.length,
        welcomesDelivered: g.rows.filter((r) => r.welcomed).length,
        deletedWithin1d: g.rows.filter((r) => within(r, 1)).length,
        deletedWithin7d: g.rows.filter((r) => within(r, 7)).length,
        eligible7d: g.rows.filter((r) => old(r, 7)).length,
        retained7d: g.rows.filter((r) => old(r, 7) && !within(r, 7)).length,
        eligible30d: g.rows.filter((r) => old(r, 30)).length,
        retained30d: g.rows.filter((r) => old(r, 30) && !within(r, 30)).length,
        firstOrders: firsts.length,
        medianHoursToFirstOrder: median(
          firsts.map((r) => ((r.firstOrderAt as Date).getTime() - r.addedAt.getTime()) / HOUR),
        ),
      };
    });
  }

  const sortRows = <T extends { dimension: string; key: string; cohort: string }>(rows: T[]) =>
    [...rows].sort((a, b) =>
      `${a.dimension}|${a.key}|${a.cohort}`.localeCompare(`${b.dimension}|${b.key}|${b.cohort}`),
    );

  it('per channel code, source channel and staff, by ISO week of the add (brand zone) and over all weeks; CSV too', async () => {
    const brand = await createBrand(t.app);
    const rows = await generate(brand);
    const from = new Date(Date.now() - 70 * DAY).toISOString().slice(0, 10);
    const res = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from })
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(res.body.timeZone).toBe(ZONE);
    const want = expected(rows, Date.now());
    expect(sortRows(res.body.rows)).toEqual(sortRows(want));
    // The data set exercises every figure.
    const all = want.filter((r) => r.dimension === 'code' && r.cohort === 'all');
    for (const f of [
      'welcomesDelivered',
      'deletedWithin1d',
      'deletedWithin7d',
      'retained30d',
      'firstOrders',
    ] as const)
      expect(all.reduce((s, r) => s + r[f], 0)).toBeGreaterThan(0);
    expect(new Set(want.map((r) => r.cohort)).size).toBeGreaterThan(8);

    const one = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from, dimension: 'staff' })
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(sortRows(one.body.rows)).toEqual(sortRows(want.filter((r) => r.dimension === 'staff')));

    const csv = await t
      .http()
      .get('/v1/acquisition/report/export')
      .query({ from })
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe(
      'dimension,key,label,cohort,adds,welcomesDelivered,deletedWithin1d,deletedWithin7d,eligible7d,retained7d,eligible30d,retained30d,firstOrders,medianHoursToFirstOrder',
    );
    expect(lines).toHaveLength(want.length + 1);

    // A narrower range keeps only the adds inside it (brand-local days).
    const to = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date(Date.now() - 14 * DAY));
    const narrow = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from, to, dimension: 'code' })
      .set(bearer(brand.owner.token))
      .expect(200);
    const limit = Date.parse(`${to}T00:00:00+08:00`) + DAY;
    const kept = rows.filter((r) => r.addedAt.getTime() < limit);
    expect(sortRows(narrow.body.rows)).toEqual(
      sortRows(expected(kept, Date.now()).filter((r) => r.dimension === 'code')),
    );

    // Another brand sees none of it; bad input is a 400 naming the field.
    const other = await createBrand(t.app);
    const empty = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from })
      .set(bearer(other.owner.token))
      .expect(200);
    expect(empty.body.rows).toEqual([]);
    const bad = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from: '2026-02-30' })
      .set(bearer(brand.owner.token))
      .expect(400);
    expect(bad.body.errors[0].field).toBe('from');
    const reversed = await t
      .http()
      .get('/v1/acquisition/report')
      .query({ from: '2026-05-02', to: '2026-05-01' })
      .set(bearer(brand.owner.token))
      .expect(400);
    expect(reversed.body.errors[0].field).toBe('from');
  });
});
