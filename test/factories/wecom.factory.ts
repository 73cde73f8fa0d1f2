import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { TestApp } from '../harness';
import type { TestBrand } from './brand.factory';

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);

/** The callback keys wecom-sim signs its pushes with (the fixture vectors' token and EncodingAESKey). */
export const SIM_CALLBACK = {
  callbackToken: 'siyuCallbackToken1',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
} as const;

/** Connects a fresh WeCom corp to the brand (`PUT /v1/channels/wecom`); answers its corp id. */
export async function connectWecom(t: TestApp, brand: TestBrand): Promise<string> {
  const corpId = `ww${uniq()}`;
  await t
    .http()
    .put('/v1/channels/wecom')
    .set({ authorization: `Bearer ${brand.owner.token}` })
    .send({ corpId, contactSecret: `secret-${uniq()}`, ...SIM_CALLBACK })
    .expect(200);
  return corpId;
}

/**
 * `n` members who are active WeCom contacts of staff `staff` (the staff row made if new), straight
 * into the tables; ordered by external_userid.
 */
export async function wecomContacts(
  t: TestApp,
  brand: TestBrand,
  n: number,
  staff = 'staff-a',
): Promise<Array<{ id: string; ext: string; nickname: string }>> {
  const ds = t.app.get(DataSource);
  const [{ id: staffId }]: Array<{ id: string }> = await ds.query(
    `WITH ins AS (INSERT INTO community_staff (brand_id, userid) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id)
     SELECT id FROM ins UNION ALL SELECT id FROM community_staff WHERE brand_id = $1 AND userid = $2`,
    [brand.id, staff],
  );
  return ds.query(
    `WITH m AS (
       INSERT INTO members (brand_id, nickname, source_channel)
       SELECT $1, '会员' || i, 'wecom' FROM generate_series(1, $2) i RETURNING id, nickname),
     c AS (
       INSERT INTO community_contact_follows (brand_id, staff_id, external_userid, member_id, status, added_at)
       SELECT $1, $3, 'wm' || $4 || row_number() OVER (), m.id, 'active', now() FROM m
       RETURNING member_id, external_userid)
     SELECT c.member_id AS id, c.external_userid AS ext, m.nickname
       FROM c JOIN m ON m.id = c.member_id ORDER BY c.external_userid`,
    [brand.id, n, staffId, uniq()],
  );
}
