import { ChannelAccountsService } from '@siyu/channels';
import { DataSource } from 'typeorm';
import { createBrand, createOperator } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

const SECRET = 'contact-secret-0123456789';
const TOKEN = 'cbToken42';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

describe('channel accounts (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  it('sets the WeCom corp: secrets sealed at rest, masked in answers, audited without them', async () => {
    const brand = await createBrand(t.app);
    await t.http().get('/v1/channels/wecom').set(auth(brand.owner.token)).expect(404);
    const missing = await t
      .http()
      .put('/v1/channels/wecom')
      .set(auth(brand.owner.token))
      .send({ corpId: 'wwCorp1' })
      .expect(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'callbackToken',
      'contactSecret',
      'encodingAesKey',
    ]);
    const put = await t
      .http()
      .put('/v1/channels/wecom')
      .set(auth(brand.owner.token))
      .send({
        corpId: 'wwCorp1',
        contactSecret: SECRET,
        callbackToken: TOKEN,
        encodingAesKey: AES_KEY,
        agentId: '1000002',
      })
      .expect(200);
    expect(put.body).toMatchObject({
      corpId: 'wwCorp1',
      agentId: '1000002',
      contactSecret: '••••••6789',
      callbackPath: `/v1/channels/wecom/callback/${brand.id}`,
    });
    const text = JSON.stringify(put.body);
    for (const s of [SECRET, TOKEN, AES_KEY]) expect(text).not.toContain(s);

    const [row] = await ds.query(`SELECT * FROM channel_wecom_accounts WHERE brand_id = $1`, [brand.id]);
    const stored = JSON.stringify(row);
    for (const s of [SECRET, TOKEN, AES_KEY]) expect(stored).not.toContain(s);
    expect(row.contact_secret_sealed).toMatch(/^v1\./);

    const audit = await ds.query(
      `SELECT action, before, after FROM audit_log WHERE brand_id = $1 AND entity_type = 'channel_wecom_account'`,
      [brand.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0].after).toMatchObject({
      corpId: 'wwCorp1',
      secretsChanged: ['contactSecret', 'callbackToken', 'encodingAesKey'],
    });
    for (const s of [SECRET, TOKEN, AES_KEY]) expect(JSON.stringify(audit)).not.toContain(s);

    // An update without secrets keeps them; the services still read the originals.
    await t
      .http()
      .put('/v1/channels/wecom')
      .set(auth(brand.owner.token))
      .send({ corpId: 'wwCorp1', agentId: null })
      .expect(200);
    const access = await t.app.get(ChannelAccountsService).wecomAccess(brand.id);
    expect(access.credentials).toEqual({ corpId: 'wwCorp1', secret: SECRET });
    expect(await t.app.get(ChannelAccountsService).wecomCallbackSecrets(brand.id)).toEqual({
      corpId: 'wwCorp1',
      token: TOKEN,
      encodingAesKey: AES_KEY,
    });
    const got = await t.http().get('/v1/channels/wecom').set(auth(brand.owner.token)).expect(200);
    expect(got.body).toMatchObject({ agentId: null, callbackToken: '••••••' });
    const audits = await ds.query(
      `SELECT action, after FROM audit_log WHERE brand_id = $1 AND entity_type = 'channel_wecom_account' ORDER BY id`,
      [brand.id],
    );
    expect(audits.map((a: { action: string }) => a.action)).toEqual([
      'channel.wecom.create',
      'channel.wecom.update',
    ]);
    expect(audits[1].after.secretsChanged).toEqual([]);
  });

  it('rejects bad values with the field named', async () => {
    const brand = await createBrand(t.app);
    const res = await t
      .http()
      .put('/v1/channels/wecom')
      .set(auth(brand.owner.token))
      .send({
        corpId: 'ww corp',
        contactSecret: SECRET,
        callbackToken: 'tok-with-dash',
        encodingAesKey: 'short',
      })
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'callbackToken',
      'corpId',
      'encodingAesKey',
    ]);
  });

  it('only owners and operators manage channels', async () => {
    const brand = await createBrand(t.app);
    const marketer = await createOperator(t.app, brand, 'marketer');
    const operator = await createOperator(t.app, brand, 'operator');
    await t.http().get('/v1/channels/oa-apps').set(auth(marketer.token)).expect(403);
    await t
      .http()
      .post('/v1/channels/oa-apps')
      .set(auth(marketer.token))
      .send({ name: 'x', appId: 'wx1', secret: 's' })
      .expect(403);
    await t.http().get('/v1/channels/oa-apps').set(auth(operator.token)).expect(200);
  });

  it('Official Account apps: CRUD with masked secrets, unique appId per brand, another brand gets 404', async () => {
    const a = await createBrand(t.app);
    const b = await createBrand(t.app);
    const created = await t
      .http()
      .post('/v1/channels/oa-apps')
      .set(auth(a.owner.token))
      .send({
        name: '品牌服务号',
        appId: 'wx0123456789abcdef',
        secret: 'app-secret-abcdefgh',
        templateIds: ['TPL_1'],
      })
      .expect(201);
    expect(created.body).toMatchObject({
      name: '品牌服务号',
      appId: 'wx0123456789abcdef',
      secret: '••••••efgh',
      templateIds: ['TPL_1'],
    });
    const id = created.body.id as string;
    const dup = await t
      .http()
      .post('/v1/channels/oa-apps')
      .set(auth(a.owner.token))
      .send({ name: 'Again', appId: 'wx0123456789abcdef', secret: 'x' })
      .expect(409);
    expect(dup.body).toMatchObject({ code: 'OA_APP_ID_TAKEN', errors: [{ field: 'appId' }] });
    // Brand B may register the same AppID (its own row), and cannot see A's.
    await t
      .http()
      .post('/v1/channels/oa-apps')
      .set(auth(b.owner.token))
      .send({ name: 'B', appId: 'wx0123456789abcdef', secret: 'bs' })
      .expect(201);
    for (const [method, body] of [
      ['get', undefined],
      ['patch', { name: 'stolen' }],
      ['delete', undefined],
    ] as const) {
      const req = t.http()[method](`/v1/channels/oa-apps/${id}`).set(auth(b.owner.token));
      const res = await (body ? req.send(body) : req);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('OA_APP_NOT_FOUND');
    }
    expect((await t.http().get('/v1/channels/oa-apps').set(auth(b.owner.token))).body.items).toHaveLength(1);

    const patched = await t
      .http()
      .patch(`/v1/channels/oa-apps/${id}`)
      .set(auth(a.owner.token))
      .send({ secret: 'rotated-secret-WXYZ', templateIds: ['TPL_1', 'TPL_2'] })
      .expect(200);
    expect(patched.body).toMatchObject({ secret: '••••••WXYZ', templateIds: ['TPL_1', 'TPL_2'] });
    expect((await t.app.get(ChannelAccountsService).oaAccess(a.id, id)).credentials.secret).toBe(
      'rotated-secret-WXYZ',
    );
    const stored = JSON.stringify(await ds.query(`SELECT * FROM channel_oa_apps WHERE id = $1`, [id]));
    expect(stored).not.toContain('rotated-secret-WXYZ');

    await t.http().delete(`/v1/channels/oa-apps/${id}`).set(auth(a.owner.token)).expect(200);
    await t.http().get(`/v1/channels/oa-apps/${id}`).set(auth(a.owner.token)).expect(404);
    const actions = await ds.query(
      `SELECT action, before, after FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
      [a.id, id],
    );
    expect(actions.map((r: { action: string }) => r.action)).toEqual([
      'channel.oa_app.create',
      'channel.oa_app.update',
      'channel.oa_app.delete',
    ]);
    expect(actions[1].after.secretsChanged).toEqual(['secret']);
    expect(JSON.stringify(actions)).not.toMatch(/app-secret-abcdefgh|rotated-secret-WXYZ/);
  });

  it("a sealed secret copied into another brand's row does not open there", async () => {
    const a = await createBrand(t.app);
    const b = await createBrand(t.app);
    for (const brand of [a, b]) {
      await t
        .http()
        .put('/v1/channels/wecom')
        .set(auth(brand.owner.token))
        .send({
          corpId: 'wwCopy',
          contactSecret: `${brand.id}-secret`,
          callbackToken: TOKEN,
          encodingAesKey: AES_KEY,
        })
        .expect(200);
    }
    await ds.query(
      `UPDATE channel_wecom_accounts SET contact_secret_sealed = (SELECT contact_secret_sealed FROM channel_wecom_accounts WHERE brand_id = $1) WHERE brand_id = $2`,
      [a.id, b.id],
    );
    const res = await t.http().get('/v1/channels/wecom').set(auth(b.owner.token));
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('CHANNEL_SECRETS_UNREADABLE');
    expect(JSON.stringify(res.body)).not.toContain(`${a.id}-secret`);
  });
});
