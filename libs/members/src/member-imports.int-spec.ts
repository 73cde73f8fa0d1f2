import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Actor, BrandsService, PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
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

  async function importFile(actor: Actor, path: string) {
    const imports = app.get(MemberImportsService);
    const created = await imports.create(actor, { filename: 'big.csv', stream: createReadStream(path) });
    for (;;) {
      const state = await imports.get(actor.brandId, created.id);
      if (state.status === 'completed' || state.status === 'failed') return state;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

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
              (SELECT count(*)::int FROM member_events WHERE brand_id = $1 AND type = 'member.imported') AS events`,
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
      events: good,
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
});
