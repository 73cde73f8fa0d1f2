import { randomUUID } from 'node:crypto';
import { MembersWorkerModule } from '@siyu/members';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { csv } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

const HEADER = [
  'external_userid',
  'unionid',
  'openid',
  'app_id',
  'phone',
  'store_customer_id',
  'nickname',
  'source_channel',
  'city',
  'birthday',
  'tags',
  'consent',
  'joined_at',
];

interface ImportState {
  id: string;
  status: string;
  totalRows: number;
  processedRows: number;
  percent: number;
  inserted: number;
  updated: number;
  failed: number;
}

/** The API with the import processor in-process (as the worker runs it), on this jest worker's Redis prefix. */
describe('member imports (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let auth: Record<string, string>;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp(MembersWorkerModule);
    brand = await createBrand(t.app);
    auth = { authorization: `Bearer ${brand.owner.token}` };
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const upload = (text: string, headers = auth, filename = 'members.csv') =>
    t.http().post('/v1/members/imports').set(headers).attach('file', Buffer.from(text), filename);

  async function finished(id: string, headers = auth): Promise<ImportState> {
    for (;;) {
      const res = await t.http().get(`/v1/members/imports/${id}`).set(headers).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const countMembers = async (brandId: string) =>
    (await ds.query(`SELECT count(*)::int AS n FROM members WHERE brand_id = $1`, [brandId]))[0].n as number;

  it('keeps the good rows, reports each bad one by line and field, and serves the report as CSV', async () => {
    const tag = `imp-${randomUUID().slice(0, 6)}`;
    const file = csv(HEADER, [
      [
        'wm-1',
        'u-1',
        '',
        '',
        '13812340001',
        '',
        'Ann',
        'douyin',
        '上海',
        '1990-01-02',
        `${tag}|tea`,
        'opted_in',
        '2024-03-01 10:00',
      ],
      ['', 'u-1', 'o-1', 'wx-1', '', 'C-1', 'Ann again', '', '', '', tag, '', ''],
      ['', '', '', '', '123', '', 'Bad phone', 'myspace', '', '1990-02-30', '', 'maybe', 'someday'],
      ['', '', '', '', '', '', 'No identity', '', '', '', '', '', ''],
      ['wm-2', '', 'o-2', '', '', '', 'No app', '', '', '', '', '', ''],
      ['wm-3', '', '', '', '+86 138 1234 0003', '', '=cmd', 'WECOM', '', '', '', 'OPTED_OUT', ''],
      ['wm-4', 'extra'],
    ]);
    const res = await upload(file).expect(202);
    expect(res.body).toMatchObject({ status: 'queued', totalRows: 7, filename: 'members.csv' });
    const state = await finished(res.body.id);
    expect(state).toMatchObject({
      status: 'completed',
      totalRows: 7,
      processedRows: 7,
      percent: 100,
      inserted: 2,
      updated: 1,
      failed: 4,
    });

    const errors = await t.http().get(`/v1/members/imports/${res.body.id}/errors.csv`).set(auth).expect(200);
    expect(errors.headers['content-type']).toContain('text/csv');
    const lines = errors.text.trim().split('\n');
    expect(lines[0]).toBe('line,field,reason,value');
    const byLine = lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','));
    expect(byLine).toEqual(
      expect.arrayContaining([
        '4,phone',
        '4,source_channel',
        '4,birthday',
        '4,consent',
        '4,joined_at',
        '5,identity',
        '6,app_id',
        '8,row',
      ]),
    );
    expect(byLine.some((l) => l.startsWith('2,') || l.startsWith('3,') || l.startsWith('7,'))).toBe(false);

    // the good rows are there, normalised; two rows of one person made one member
    const ann = await t.http().get('/v1/members').query({ q: 'u-1' }).set(auth).expect(200);
    expect(ann.body.items).toHaveLength(1);
    expect(ann.body.items[0]).toMatchObject({
      nickname: 'Ann again',
      sourceChannel: 'douyin',
      city: '上海',
      birthday: '1990-01-02',
      phone: '+86138****0001',
      consent: { status: 'opted_in', channel: 'import' },
      joinedAt: '2024-03-01T02:00:00.000Z', // 10:00 in the brand's time zone (Asia/Shanghai)
    });
    expect(ann.body.items[0].tags.map((x: { name: string }) => x.name).sort()).toEqual([tag, 'tea'].sort());
    const cmd = await t.http().get('/v1/members').query({ q: 'wm-3' }).set(auth).expect(200);
    expect(cmd.body.items[0]).toMatchObject({
      sourceChannel: 'wecom',
      consent: { status: 'opted_out' },
      reachable: false,
    });

    const timeline = await t
      .http()
      .get(`/v1/members/${ann.body.items[0].id}/timeline?limit=50`)
      .set(auth)
      .expect(200);
    expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['member.imported', 'member.tagged']),
    );

    const audit = await t
      .http()
      .get('/v1/audit-log')
      .query({ entityType: 'member_import', entityId: res.body.id })
      .set(auth)
      .expect(200);
    expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual([
      'member_import.complete',
      'member_import.create',
    ]);
    // the uploaded file is not kept once applied
    const [{ chunks }] = await ds.query(
      `SELECT count(*)::int AS chunks FROM member_import_chunks WHERE import_id = $1`,
      [res.body.id],
    );
    expect(chunks).toBe(0);
  });

  it('creates no duplicates when the same file is imported twice', async () => {
    const b = await createBrand(t.app);
    const bAuth = { authorization: `Bearer ${b.owner.token}` };
    const rows = Array.from({ length: 50 }, (_, i) => [
      `wm-${i}`,
      `u-${i}`,
      i % 2 ? `o-${i}` : '',
      i % 2 ? 'wx-1' : '',
      `1381234${String(i).padStart(4, '0')}`,
      `C-${i}`,
      `Member ${i}`,
      'store',
      '',
      '',
      'loyal',
      '',
      '',
    ]);
    const file = csv(HEADER, rows);
    const first = await finished((await upload(file, bAuth).expect(202)).body.id, bAuth);
    expect(first).toMatchObject({ inserted: 50, updated: 0, failed: 0 });
    const second = await finished((await upload(file, bAuth).expect(202)).body.id, bAuth);
    expect(second).toMatchObject({ inserted: 0, updated: 50, failed: 0 });
    expect(await countMembers(b.id)).toBe(50);
    const [{ identities, tags, tagged }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM member_identities WHERE brand_id = $1) AS identities,
              (SELECT count(*)::int FROM tags WHERE brand_id = $1) AS tags,
              (SELECT count(*)::int FROM member_tags WHERE brand_id = $1) AS tagged`,
      [b.id],
    );
    expect({ identities, tags, tagged }).toEqual({ identities: 50 * 4 + 25, tags: 1, tagged: 50 });
  });

  it('reports progress, lists imports, and streams state as server-sent events until it completes', async () => {
    const file = csv(HEADER, [[`wm-${randomUUID()}`, '', '', '', '', '', 'SSE', '', '', '', '', '', '']]);
    const res = await upload(file).expect(202);
    const sse = await t
      .http()
      .get(`/v1/members/imports/${res.body.id}/events`)
      .set(auth)
      .buffer(true)
      .parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => cb(null, text));
      })
      .expect(200);
    expect(sse.headers['content-type']).toContain('text/event-stream');
    const events = String(sse.body)
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map(
        (block) =>
          JSON.parse(
            block
              .split('\n')
              .find((l) => l.startsWith('data: '))!
              .slice(6),
          ) as ImportState,
      );
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[events.length - 1]).toMatchObject({
      id: res.body.id,
      status: 'completed',
      percent: 100,
      inserted: 1,
    });
    for (const e of events) expect(e.processedRows).toBeLessThanOrEqual(e.totalRows);

    const progress = await t.http().get(`/v1/members/imports/${res.body.id}`).set(auth).expect(200);
    expect(progress.body).toMatchObject({
      totalRows: 1,
      processedRows: 1,
      percent: 100,
      inserted: 1,
      updated: 0,
      failed: 0,
    });
    const list = await t.http().get('/v1/members/imports').set(auth).expect(200);
    expect(list.body.items[0].id).toBe(res.body.id);
  });

  it('refuses a file with an unknown column, broken CSV, no rows, or no file with 400 naming the problem', async () => {
    const before = await countMembers(brand.id);
    const unknown = await upload('unionid,nickname,vip_level\nu-9,X,3\n').expect(400);
    expect(unknown.body).toMatchObject({ code: 'MEMBER_IMPORT_HEADER_INVALID' });
    expect(unknown.body.errors[0]).toMatchObject({ field: 'file.header[2]' });
    expect(unknown.body.errors[0].message).toContain('vip_level');
    const noIdentity = await upload('nickname,city\nX,Y\n').expect(400);
    expect(noIdentity.body.errors[0].field).toBe('file.header');
    const broken = await upload('unionid,nickname\n"u-9,X\n').expect(400);
    expect(broken.body.code).toBe('MEMBER_IMPORT_CSV_MALFORMED');
    const empty = await upload('unionid,nickname\n').expect(400);
    expect(empty.body.code).toBe('MEMBER_IMPORT_EMPTY');
    const json = await t
      .http()
      .post('/v1/members/imports')
      .set(auth)
      .send({ file: 'unionid\nu-1\n' })
      .expect(400);
    expect(json.body.errors[0].field).toBe('file');
    const wrongField = await t
      .http()
      .post('/v1/members/imports')
      .set(auth)
      .attach('upload', Buffer.from('unionid\nu-1\n'), 'x.csv')
      .expect(400);
    expect(wrongField.body.code).toBe('MEMBER_IMPORT_FILE_MISSING');
    expect(await countMembers(brand.id)).toBe(before);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM member_imports WHERE brand_id = $1 AND total_rows IS NULL`,
      [brand.id],
    );
    expect(n).toBe(0);
  });

  it("answers 404 for another brand's import on every route", async () => {
    const other = await createBrand(t.app);
    const otherAuth = { authorization: `Bearer ${other.owner.token}` };
    const theirs = await upload(
      csv(HEADER, [[`wm-${randomUUID()}`, '', '', '', '', '', '', '', '', '', '', '', '']]),
      otherAuth,
    ).expect(202);
    await finished(theirs.body.id, otherAuth);
    for (const path of ['', '/events', '/errors.csv']) {
      const res = await t.http().get(`/v1/members/imports/${theirs.body.id}${path}`).set(auth).expect(404);
      expect(res.body.code).toBe('MEMBER_IMPORT_NOT_FOUND');
    }
    const mine = await t.http().get('/v1/members/imports?limit=500').set(auth).expect(200);
    expect(mine.body.items.map((i: { id: string }) => i.id)).not.toContain(theirs.body.id);
  });
});
