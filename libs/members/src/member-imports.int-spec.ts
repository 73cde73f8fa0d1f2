import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Actor, BrandsService, PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { IMPORT_COLUMNS } from './member-import.csv';
import { MemberEventsService } from './member-events.service';
import { MemberImportsService } from './member-imports.service';
import { MembersWorkerModule } from './members-worker.module';

const ROWS = 100_000;
const AGAIN = 10_000;
const CHANNELS = ['wechat_oa', 'wecom', 'douyin', 'xiaohongshu', 'store'];

/** Writes a members CSV of `rows` rows to a file, streamed (never held whole in memory). */
async function writeCsv(path: string, rows: number): Promise<{ bad: number }> {
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(
    'external_userid,unionid,openid,app_id,phone,store_customer_id,nickname,source_channel,city,birthday,tags,consent,joined_at\n',
  );
  let bad = 0;
  for (let i = 0; i < rows; i++) {
    if (i % 1000 === 999) {
      bad++; // an invalid phone: reported, skipped
      await write(`ext-${i},,,,12345,,Bad ${i},wecom,,,,,\n`);
      continue;
    }
    const phone = `13${String(100_000_000 + i).slice(-9)}`;
    const tags = i % 10 === 0 ? 'vip|tea' : i % 3 === 0 ? 'tea' : '';
    const consent = i % 20 === 0 ? 'opted_out' : 'opted_in';
    const openid = i % 4 === 0 ? `o-${i},wx-demo` : ',';
    await write(
      `ext-${i},union-${i},${openid},${phone},C${i},Member ${i},${CHANNELS[i % CHANNELS.length]},Shanghai,1990-01-${String((i % 28) + 1).padStart(2, '0')},${tags},${consent},2024-05-01T08:00:00Z\n`,
    );
  }
  out.end();
  await once(out, 'finish');
  return { bad };
}

describe('members (int)', () => {
  let app: INestApplicationContext;
  let dir: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule, MembersWorkerModule],
    }).compile();
    app = await moduleRef.init();
    dir = mkdtempSync(join(tmpdir(), 'siyu-members-'));
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function importFile(actor: Actor, path: string | Buffer) {
    const imports = app.get(MemberImportsService);
    const stream = typeof path === 'string' ? createReadStream(path) : Readable.from([path]);
    const created = await imports.create(actor, { filename: 'big.csv', stream });
    for (;;) {
      const state = await imports.get(actor.brandId, created.id);
      if (state.status === 'completed' || state.status === 'failed') return state;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function freshActor(name: string): Promise<Actor> {
    const { brand, owner } = await app.get(BrandsService).createWithOwner({
      name,
      ownerEmail: `${name.toLowerCase().replaceAll(' ', '-')}-${Date.now()}@test.siyu`,
      password: 'a-long-enough-password',
    });
    return { brandId: brand.id, actorType: 'operator', actorId: owner.id, requestId: null };
  }

  it('reads a file the same whether Postgres parses it (COPY) or csv-parse does', async () => {
    const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const row = (values: Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>) =>
      IMPORT_COLUMNS.map((c) => cell(values[c] ?? '')).join(',');
    const records = [
      row({
        external_userid: ' wm-a ',
        unionid: '\u3000u-a\u00a0',
        phone: ' 138 1234 5601 ',
        nickname: 'Li, "Amy" \\ \t 王',
        source_channel: 'WeCom',
        city: ' 上海 ',
        birthday: '1990-01-02',
        tags: ' vip | tea ',
        consent: 'OPTED_IN',
        joined_at: '2024-05-01 08:00',
        utm_source: 'douyin',
      }),
      row({
        unionid: 'u-b',
        openid: 'o-b',
        app_id: 'wx-1',
        phone: '+852 6412 3456',
        city: '\u3000',
        joined_at: '2024-06-01T10:00:00+08:00',
      }),
      row({ external_userid: 'wm-c', phone: '12345', consent: 'maybe' }),
      row({ external_userid: 'wm bad', birthday: '1990-02-30' }),
      row({
        unionid: 'u-a',
        store_customer_id: 'S-1',
        nickname: 'Amy again',
        joined_at: '2023-01-01T00:00:00Z',
      }),
      row({ nickname: 'nobody' }),
      row({
        external_userid: 'wm-d',
        phone: '+86-138-1234-5602',
        tags: 'tea|',
        source_channel: 'store',
        joined_at: '2024-07-01',
      }),
    ];
    const plain = Buffer.from(`\ufeff${IMPORT_COLUMNS.join(',')}\r\n${records.join('\r\n')}\r\n`);
    // one short row more: Postgres cannot read that file, so it goes through csv-parse
    const ragged = Buffer.concat([plain, Buffer.from('wm-z,u-z\r\n')]);
    const byParse = jest.spyOn(
      MemberImportsService.prototype as unknown as { stageByParse(): Promise<void> },
      'stageByParse',
    );
    const copied = await freshActor('Copy Co');
    const parsed = await freshActor('Parse Co');
    try {
      expect(await importFile(copied, plain)).toMatchObject({
        status: 'completed',
        inserted: 3,
        updated: 1,
        failed: 3,
      });
      expect(byParse).not.toHaveBeenCalled();
      expect(await importFile(parsed, ragged)).toMatchObject({
        status: 'completed',
        inserted: 3,
        updated: 1,
        failed: 4,
      });
      expect(byParse).toHaveBeenCalledTimes(1);
    } finally {
      byParse.mockRestore();
    }

    const ds = app.get(DataSource);
    const outcome = async (brandId: string) => ({
      members: await ds.query(
        `SELECT m.nickname, m.phone, m.city, m.birthday::text, m.source_channel, m.consent_status, m.joined_at, m.utm_source,
                (SELECT json_agg(json_build_array(i.kind, i.app_id, i.value, i.hint) ORDER BY i.kind, i.value)
                   FROM member_identities i WHERE i.member_id = m.id) AS identities,
                (SELECT json_agg(t.name ORDER BY t.name) FROM member_tags mt JOIN tags t ON t.id = mt.tag_id
                  WHERE mt.member_id = m.id) AS tags
           FROM members m WHERE m.brand_id = $1 ORDER BY m.nickname, m.phone`,
        [brandId],
      ),
      errors: await ds.query(
        `SELECT line, field, reason, value FROM member_import_errors WHERE brand_id = $1 ORDER BY line, field, reason`,
        [brandId],
      ),
    });
    const viaCopy = await outcome(copied.brandId);
    const viaParse = await outcome(parsed.brandId);
    expect(viaCopy.members).toHaveLength(3);
    expect(viaCopy.members[0]).toMatchObject({
      nickname: 'Amy again',
      phone: '+8613812345601',
      city: '上海',
      source_channel: 'wecom',
      consent_status: 'opted_in',
      tags: ['tea', 'vip'],
    });
    expect(viaCopy.members).toEqual(viaParse.members);
    expect(viaCopy.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`)).toEqual([
      '4:consent',
      '4:phone',
      '5:birthday',
      '5:external_userid',
      '7:identity',
    ]);
    expect(viaParse.errors).toEqual([
      ...viaCopy.errors,
      expect.objectContaining({ line: 9, field: 'row', reason: 'the row has 2 fields, the header has 18' }),
    ]);
  });

  it('refuses an upload cut short by the size limit (413) and keeps nothing of it', async () => {
    const { brand, owner } = await app.get(BrandsService).createWithOwner({
      name: 'Limit Co.',
      ownerEmail: `limit-${Date.now()}@test.siyu`,
      password: 'a-long-enough-password',
    });
    const actor: Actor = { brandId: brand.id, actorType: 'operator', actorId: owner.id, requestId: null };
    // what @fastify/multipart hands over when the file passes `limits.fileSize`: a stream that ends early, marked truncated
    const stream = Object.assign(Readable.from([Buffer.from('unionid,nickname\nu-1,A\nu-2,"B')]), {
      truncated: true,
    });
    await expect(
      app.get(MemberImportsService).create(actor, { filename: 'big.csv', stream, maxBytes: 30 }),
    ).rejects.toMatchObject({
      code: 'MEMBER_IMPORT_TOO_LARGE',
      status: 413,
    });
    const [{ n }] = await app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM member_imports WHERE brand_id = $1`, [brand.id]);
    expect(n).toBe(0);
  });

  it('imports every good row once, reports the bad ones, and a second run adds nothing', async () => {
    const { brand, owner } = await app.get(BrandsService).createWithOwner({
      name: 'Big Import Co.',
      ownerEmail: `big-${Date.now()}@test.siyu`,
      password: 'a-long-enough-password',
    });
    const actor: Actor = { brandId: brand.id, actorType: 'operator', actorId: owner.id, requestId: null };
    const path = join(dir, 'members.csv');
    const { bad } = await writeCsv(path, ROWS);
    const good = ROWS - bad;

    const first = await importFile(actor, path);
    expect(first).toMatchObject({
      status: 'completed',
      totalRows: ROWS,
      processedRows: ROWS,
      inserted: good,
      updated: 0,
      failed: bad,
    });

    const ds = app.get(DataSource);
    const [counts] = await ds.query(
      `SELECT (SELECT count(*)::int FROM members WHERE brand_id = $1) AS members,
              (SELECT count(*)::int FROM member_identities WHERE brand_id = $1) AS identities,
              (SELECT count(*)::int FROM member_identities WHERE brand_id = $1 AND kind = 'phone') AS phones,
              (SELECT count(*)::int FROM members WHERE brand_id = $1 AND consent_status = 'opted_out') AS opted_out,
              (SELECT count(*)::int FROM member_tags mt JOIN tags t ON t.id = mt.tag_id WHERE t.brand_id = $1 AND t.name = 'vip') AS vip,
              (SELECT count(*)::int FROM member_import_errors WHERE brand_id = $1 AND field = 'phone') AS phone_errors,
              (SELECT count(*)::int FROM member_import_chunks WHERE brand_id = $1) AS chunks_left,
              (SELECT count(*)::int FROM member_import_links WHERE brand_id = $1) AS links`,
      [brand.id],
    );
    const openids = Array.from({ length: ROWS }, (_, i) => i).filter(
      (i) => i % 1000 !== 999 && i % 4 === 0,
    ).length;
    expect(counts).toEqual({
      members: good,
      identities: good * 4 + openids,
      phones: good,
      opted_out: Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 1000 !== 999 && i % 20 === 0)
        .length,
      vip: Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 1000 !== 999 && i % 10 === 0).length,
      phone_errors: bad,
      chunks_left: 0,
      links: good,
    });
    const [sample] = await ds.query(
      `SELECT phone, source_channel, city, birthday::text AS birthday FROM members m
      JOIN member_identities i ON i.member_id = m.id AND i.kind = 'external_userid' AND i.value = 'ext-42' WHERE m.brand_id = $1`,
      [brand.id],
    );
    expect(sample).toEqual({
      phone: '+8613100000042',
      source_channel: CHANNELS[42 % CHANNELS.length],
      city: 'Shanghai',
      birthday: '1990-01-15',
    });

    // The first rows of the same file again: everything matches, nothing is created twice.
    const again = join(dir, 'again.csv');
    const { bad: badAgain } = await writeCsv(again, AGAIN);
    const second = await importFile(actor, again);
    expect(second).toMatchObject({
      status: 'completed',
      inserted: 0,
      updated: AGAIN - badAgain,
      failed: badAgain,
    });
    const [{ members }] = await ds.query(`SELECT count(*)::int AS members FROM members WHERE brand_id = $1`, [
      brand.id,
    ]);
    expect(members).toBe(good);
  }, 120_000);

  it('identities, tags and import links name a member of their own brand only, and go with the brand', async () => {
    const a = await freshActor('Keys A Co');
    const b = await freshActor('Keys B Co');
    const imported = await importFile(a, Buffer.from('external_userid,tags\nkey-a,tea\n'));
    expect(imported).toMatchObject({ status: 'completed', inserted: 1 });
    const ds = app.get(DataSource);
    const [{ id: memberOfA }] = await ds.query(
      `SELECT member_id AS id FROM member_identities WHERE brand_id = $1 AND value = 'key-a'`,
      [a.brandId],
    );
    const [{ id: tagOfB }] = await ds.query(
      `INSERT INTO tags (brand_id, name) VALUES ($1, 'tea') RETURNING id`,
      [b.brandId],
    );
    // brand B's rows naming brand A's member: each refused by the composite key (brand_id, member_id)
    const refused = { driverError: { code: '23503' } };
    await expect(
      ds.query(
        `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value) VALUES ($1, $2, 'unionid', '', 'key-b')`,
        [b.brandId, memberOfA],
      ),
    ).rejects.toMatchObject(refused);
    await expect(
      ds.query(`INSERT INTO member_tags (brand_id, member_id, tag_id) VALUES ($1, $2, $3)`, [
        b.brandId,
        memberOfA,
        tagOfB,
      ]),
    ).rejects.toMatchObject(refused);
    await expect(
      ds.query(
        `INSERT INTO member_import_links (brand_id, member_id, import_id, line, created) VALUES ($1, $2, $3, 9, false)`,
        [b.brandId, memberOfA, imported.id],
      ),
    ).rejects.toMatchObject(refused);

    // deleting brand A takes its identities, tags and links with it, through its members
    const left = async () =>
      (
        await ds.query(
          `SELECT (SELECT count(*)::int FROM member_identities WHERE member_id = $1)
                + (SELECT count(*)::int FROM member_tags WHERE member_id = $1)
                + (SELECT count(*)::int FROM member_import_links WHERE member_id = $1) AS n`,
          [memberOfA],
        )
      )[0].n;
    expect(await left()).toBe(3);
    await ds.query(`DELETE FROM brands WHERE id = $1`, [a.brandId]);
    expect(await left()).toBe(0);
  });

  it('the timeline shows each imported row and each tag an import added, read from the import’s links', async () => {
    const actor = await freshActor('Timeline Import Co');
    const header = 'external_userid,nickname,tags,consent\n';
    const first = await importFile(
      actor,
      Buffer.from(header + 'tl-1,Ann,tea|vip,opted_in\ntl-2,Bob,,\ntl-1,Ann again,tea,\n'),
    );
    expect(first).toMatchObject({ status: 'completed', inserted: 2, updated: 1, failed: 0 });
    const second = await importFile(actor, Buffer.from(header + 'tl-1,Ann,tea|coffee,opted_out\n'));
    expect(second).toMatchObject({ status: 'completed', inserted: 0, updated: 1 });

    const ds = app.get(DataSource);
    const [{ id: ann }] = await ds.query(
      `SELECT member_id AS id FROM member_identities WHERE brand_id = $1 AND value = 'tl-1'`,
      [actor.brandId],
    );
    const tagId = async (name: string) =>
      (await ds.query(`SELECT id FROM tags WHERE brand_id = $1 AND name = $2`, [actor.brandId, name]))[0].id;
    const events = app.get(MemberEventsService);
    const all = await events.timeline(actor.brandId, ann, 100);
    const mine = all.items.filter((e) => e.type === 'member.imported' || e.type === 'member.tagged');
    // newest first: the second import, then the first (its later row, then its first row with the tags)
    expect(mine.map((e) => [e.type, e.data])).toEqual([
      ['member.imported', { importId: second.id, line: 2, created: false }],
      ['member.tagged', { importId: second.id, tagId: await tagId('coffee') }],
      ['member.imported', { importId: first.id, line: 4, created: false }],
      ['member.imported', { importId: first.id, line: 2, created: true }],
      ['member.tagged', { importId: first.id, tagId: expect.any(String) }],
      ['member.tagged', { importId: first.id, tagId: expect.any(String) }],
    ]);
    expect(new Set(mine.slice(4).map((e) => e.data.tagId))).toEqual(
      new Set([await tagId('tea'), await tagId('vip')]),
    );
    for (const e of mine) expect(e).toMatchObject({ actorType: 'operator', actorId: actor.actorId });
    // the consent change of the second import is still an event of its own
    expect(all.items.map((e) => e.type)).toContain('member.consent_changed');

    // paged one by one, the same entries in the same order, each once
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await events.timeline(actor.brandId, ann, 1, cursor);
      seen.push(...page.items.map((e) => e.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(all.items.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
    // no event row per imported row or per tag any more
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM member_events WHERE brand_id = $1 AND type IN ('member.imported', 'member.tagged')`,
      [actor.brandId],
    );
    expect(n).toBe(0);
  });
});
