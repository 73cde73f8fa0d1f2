import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { AcquisitionStateRegistry } from '@siyu/acquisition';
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { waitFor, waitUntil } from './support/processes';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type BrandFactory = typeof import('./factories/brand.factory');
type WecomFactory = typeof import('./factories/wecom.factory');

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const nowSeconds = () => String(Math.floor(Date.now() / 1000));

interface Code {
  id: string;
  state: string;
  configId: string;
  qrCode: string;
  status: string;
  activeStaff: string[];
}

describe('acquisition channel codes: contact ways, add callbacks, welcome messages, routing (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let base: string;
  let ds: DataSource;
  let f: BrandFactory;
  let wf: WecomFactory;

  beforeAll(async () => {
    ({ sim, t } = await startAppWithSim(async () => {
      const a = await import('@siyu/acquisition');
      const ch = await import('@siyu/channels');
      return [a.AcquisitionWorkerModule, ch.ChannelsWorkerModule];
    }));
    f = await import('./factories/brand.factory');
    wf = await import('./factories/wecom.factory');
    const { AcquisitionStateRegistry: Registry } = await import('@siyu/acquisition');
    // A stand-in for another acquisition kind (referrals register theirs the same way).
    t.app.get<AcquisitionStateRegistry>(Registry).register({
      prefix: 'tst_',
      resolve: async (_brandId, state) =>
        state === 'tst_known'
          ? {
              kind: 'test_kind',
              refId: 'ref-1',
              sourceChannel: 'bilibili',
              utm: { source: 'bilibili', campaign: 'invite' },
              tagIds: [],
              welcome: { text: 'welcome, friend of a friend', attachments: [] },
            }
          : null,
    });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  async function brandWithCorp(): Promise<{ brand: TestBrand; corpId: string; token: string }> {
    const brand = await f.createBrand(t.app);
    const corpId = await wf.connectWecom(t, brand);
    await ds.query(
      `INSERT INTO community_staff (brand_id, userid) SELECT $1, u FROM unnest($2::text[]) u ON CONFLICT DO NOTHING`,
      [brand.id, ['staff-a', 'staff-b', 'staff-c']],
    );
    return { brand, corpId, token: await sim.client.wecomToken(corpId, 'any-secret') };
  }

  const createCode = (brand: TestBrand, body: Record<string, unknown>, status = 201) =>
    t
      .http()
      .post('/v1/acquisition/channel-codes')
      .set(bearer(brand.owner.token))
      .send({ name: 'Store poster', staff: ['staff-a'], ...body })
      .expect(status);

  const getCode = async (brand: TestBrand, id: string): Promise<Code> =>
    (await t.http().get(`/v1/acquisition/channel-codes/${id}`).set(bearer(brand.owner.token)).expect(200))
      .body as Code;

  const simWay = (token: string, configId: string) =>
    sim.client.cgi<{ errcode: number; errmsg: string; contact_way: Record<string, unknown> }>(
      'externalcontact/get_contact_way',
      token,
      { config_id: configId },
    );

  const push = (
    brandId: string,
    corpId: string,
    event: Record<string, unknown>,
    over: Record<string, unknown> = {},
  ) =>
    sim.client.post<{ status: number | null; welcome_code?: string }>('/_sim/callbacks', {
      url: `${base}/v1/channels/wecom/callback/${brandId}`,
      token: wf.SIM_CALLBACK.callbackToken,
      encodingAESKey: wf.SIM_CALLBACK.encodingAesKey,
      corpId,
      event,
      ...over,
    });

  const added = (state: string, staff: string, external: string, more: Record<string, unknown> = {}) => ({
    Event: 'change_external_contact',
    ChangeType: 'add_external_contact',
    UserID: staff,
    ExternalUserID: external,
    State: state,
    ...more,
  });

  /** Every stored event of the brand is handled. */
  const eventsDone = (brandId: string, n: number) =>
    waitUntil(
      async () => {
        const rows: Array<{ status: string }> = await ds.query(
          `SELECT status FROM channel_wecom_events WHERE brand_id = $1`,
          [brandId],
        );
        return rows.length === n && rows.every((r) => r.status === 'done');
      },
      20_000,
      `${n} events done`,
    );

  const welcomes = (brandId: string) =>
    ds.query(
      `SELECT w.status, w.reason, w.attempts, w.message, c.external_userid FROM acquisition_welcomes w
         JOIN acquisition_contacts c ON c.id = w.contact_id WHERE w.brand_id = $1 ORDER BY w.id`,
      [brandId],
    ) as Promise<
      Array<{ status: string; reason: string | null; attempts: number; message: Record<string, unknown> }>
    >;

  const welcomeSends = async (external: string) =>
    (await sim.client.messages(external)).messages.filter(
      (m) => m.api === 'externalcontact/send_welcome_msg',
    );

  it('refuses bad input with 400 naming the field and changes nothing; another brand answers 404', async () => {
    const { brand, token } = await brandWithCorp();
    const bad = async (body: Record<string, unknown>, field: string) => {
      const res = await createCode(brand, body, 400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ state: 'x'.repeat(31) }, 'state');
    await bad({ staff: ['staff-a', 'nobody'], type: 'multi' }, 'staff[1]');
    await bad({ routing: { rule: 'random' } }, 'routing.rule');
    await bad({ routing: { rule: 'schedule' } }, 'routing.schedule');
    await bad(
      {
        staff: ['staff-a', 'staff-b'],
        routing: {
          rule: 'schedule',
          schedule: [{ weekdays: [1], start: '09:00', end: '18:00', staff: ['staff-c'] }],
        },
      },
      'routing.schedule[0].staff[0]',
    );
    await bad({ routing: { rule: 'round_robin', dailyCap: 0 } }, 'routing.dailyCap');
    await bad({ state: 'tst_mine' }, 'state');
    await bad({ staff: ['staff-a', 'staff-b'], type: 'single' }, 'staff');
    await bad({ tagIds: [randomUUID()] }, 'tagIds[0]');
    await bad({ welcome: { attachments: [{ type: 'link' }] } }, 'welcome.attachments[0].linkId');
    const none = await t
      .http()
      .get('/v1/acquisition/channel-codes')
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(none.body.items).toEqual([]);

    const code = (await createCode(brand, { state: 'poster-1', skipVerify: false })).body as Code;
    expect(code).toMatchObject({ state: 'poster-1', status: 'active', activeStaff: ['staff-a'] });
    expect(code.qrCode).toMatch(/^https:\/\//);
    const way = await simWay(token, code.configId);
    expect(way.contact_way).toMatchObject({
      state: 'poster-1',
      user: ['staff-a'],
      skip_verify: false,
      type: 1,
    });
    // The same state again is a conflict naming the field.
    const taken = await createCode(brand, { state: 'poster-1' }, 409);
    expect(taken.body.errors[0].field).toBe('state');

    const other = await f.createBrand(t.app);
    for (const [method, path] of [
      ['get', `/v1/acquisition/channel-codes/${code.id}`],
      ['patch', `/v1/acquisition/channel-codes/${code.id}`],
      ['post', `/v1/acquisition/channel-codes/${code.id}/pause`],
      ['delete', `/v1/acquisition/channel-codes/${code.id}`],
    ] as const)
      await t.http()[method](path).set(bearer(other.owner.token)).send({ name: 'mine now' }).expect(404);

    // A contact way's type cannot change: a single-staff code stays single.
    const retype = await t
      .http()
      .patch(`/v1/acquisition/channel-codes/${code.id}`)
      .set(bearer(brand.owner.token))
      .send({ staff: ['staff-a', 'staff-b'] })
      .expect(400);
    expect(retype.body.errors[0].field).toBe('staff');
    // Update (update_contact_way), pause, delete (del_contact_way): each in WeCom and in the audit log.
    await t
      .http()
      .patch(`/v1/acquisition/channel-codes/${code.id}`)
      .set(bearer(brand.owner.token))
      .send({ state: 'poster-2', staff: ['staff-b'] })
      .expect(200);
    expect((await simWay(token, code.configId)).contact_way).toMatchObject({
      state: 'poster-2',
      user: ['staff-b'],
    });
    await t
      .http()
      .post(`/v1/acquisition/channel-codes/${code.id}/pause`)
      .set(bearer(brand.owner.token))
      .expect(200);
    expect((await getCode(brand, code.id)).status).toBe('paused');
    await t
      .http()
      .delete(`/v1/acquisition/channel-codes/${code.id}`)
      .set(bearer(brand.owner.token))
      .expect(200);
    expect((await simWay(token, code.configId)).errcode).not.toBe(0);
    const audit: Array<{ action: string }> = await ds.query(
      `SELECT action FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
      [brand.id, code.id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'acquisition.channel_code.created',
      'acquisition.channel_code.updated',
      'acquisition.channel_code.paused',
      'acquisition.channel_code.deleted',
    ]);
  });

  it('concurrent creates racing for one state make one code (the rest 409 naming state); a WeCom refusal is a 502 that changes nothing', async () => {
    const { brand, token } = await brandWithCorp();
    const raced = await Promise.all(
      Array.from({ length: 4 }, () =>
        t
          .http()
          .post('/v1/acquisition/channel-codes')
          .set(bearer(brand.owner.token))
          .send({ name: 'Raced', staff: ['staff-a'], state: 'raced-1' }),
      ),
    );
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    for (const r of raced.filter((x) => x.status === 409)) expect(r.body.errors[0].field).toBe('state');
    const rows: Array<{ config_id: string }> = await ds.query(
      `SELECT config_id FROM acquisition_channel_codes WHERE brand_id = $1`,
      [brand.id],
    );
    expect(rows).toHaveLength(1);
    expect((await simWay(token, rows[0].config_id)).contact_way).toMatchObject({ state: 'raced-1' });

    await sim.client.faults([{ path: 'add_contact_way', errcode: 60011 }]);
    try {
      const refused = await createCode(brand, { state: 'refused-1' }, 502);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body.code).toBe('WECOM_CALL_REFUSED');
      expect(refused.body.detail).toContain('60011');
    } finally {
      await sim.client.clearFaults();
    }
    const after: unknown[] = await ds.query(
      `SELECT 1 FROM acquisition_channel_codes WHERE brand_id = $1 AND state = 'refused-1'`,
      [brand.id],
    );
    expect(after).toEqual([]);
  });

  it('an add with the code state makes the member with its source channel, UTM, tags and staff; the welcome goes once though the callback came three times', async () => {
    const { brand, corpId } = await brandWithCorp();
    const [tag] = await ds.query(
      `INSERT INTO tags (brand_id, name) VALUES ($1, 'douyin-fans') RETURNING id`,
      [brand.id],
    );
    const [link] = await ds.query(
      `INSERT INTO tracked_links (brand_id, code, name, destination, utm) VALUES ($1, $2, 'Shop', 'https://shop.example.com/x', '{}') RETURNING id`,
      [brand.id, `L${uniq()}`],
    );
    const template = await t
      .http()
      .post('/v1/coupon-templates')
      .set(bearer(brand.owner.token))
      .send({ name: 'New friend ¥10', kind: 'fixed_amount', amountOffMinor: 1000 })
      .expect(201);
    await t
      .http()
      .post(`/v1/coupon-templates/${template.body.id}/activate`)
      .set(bearer(brand.owner.token))
      .expect(200);
    const code = (
      await createCode(brand, {
        name: 'Douyin bio',
        sourceChannel: 'douyin',
        utm: { source: 'douyin', medium: 'bio', campaign: 'spring' },
        tagIds: [tag.id],
        welcome: {
          text: 'Hi from Douyin, your coupon: {{coupon}}',
          attachments: [
            { type: 'link', linkId: link.id, title: 'Our shop' },
            { type: 'coupon', templateId: template.body.id },
          ],
        },
      })
    ).body as Code;
    const external = `wm${uniq()}`;
    const event = added(code.state, 'staff-a', external);
    const timestamp = nowSeconds();
    // WeCom delivers it again (same XML, another nonce), then a twin with another WelcomeCode.
    const first = await push(
      brand.id,
      corpId,
      { ...event, WelcomeCode: 'wc-one' },
      { timestamp, nonce: '1' },
    );
    await push(brand.id, corpId, { ...event, WelcomeCode: 'wc-one' }, { timestamp, nonce: '2' });
    await push(brand.id, corpId, { ...event, WelcomeCode: 'wc-two' }, { timestamp, nonce: '3' });
    expect(first.status).toBe(200);
    await eventsDone(brand.id, 2);
    const [w] = await waitFor(async () => {
      const rows = await welcomes(brand.id);
      return rows[0]?.status === 'sent' ? rows : undefined;
    });
    expect(await welcomes(brand.id)).toHaveLength(1);
    expect(w.message).toMatchObject({ attachments: [{ msgtype: 'link', link: { title: 'Our shop' } }] });
    const couponCode = /^Hi from Douyin, your coupon: ([2-9A-Z]{6,})$/.exec(w.message.text as string)?.[1];
    expect(couponCode).toBeDefined();
    const sends = await welcomeSends(external);
    expect(sends).toHaveLength(1);
    // The contact's own short link, bound to the member.
    const url = (w.message as { attachments: Array<{ link: { url: string } }> }).attachments[0].link.url;
    const linkCode = url.split('/r/')[1];
    const [lc] = await ds.query(`SELECT member_id FROM link_codes WHERE code = $1`, [linkCode]);

    // The coupon was issued once, to the new member, from the template.
    const coupons = await ds.query(
      `SELECT member_id, template_id FROM coupons WHERE brand_id = $1 AND code = $2`,
      [brand.id, couponCode],
    );
    expect(coupons).toEqual([{ member_id: lc.member_id, template_id: template.body.id }]);
    expect(
      await ds.query(`SELECT count(*)::int AS n FROM coupons WHERE template_id = $1`, [template.body.id]),
    ).toEqual([{ n: 1 }]);

    const contacts = await ds.query(
      `SELECT staff_userid, member_id, code_id, source_channel FROM acquisition_contacts WHERE brand_id = $1`,
      [brand.id],
    );
    expect(contacts).toEqual([
      { staff_userid: 'staff-a', member_id: lc.member_id, code_id: code.id, source_channel: 'douyin' },
    ]);
    const member = await t
      .http()
      .get(`/v1/members/${lc.member_id}`)
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(member.body).toMatchObject({
      sourceChannel: 'douyin',
      utm: { source: 'douyin', medium: 'bio', campaign: 'spring' },
    });
    const tags: Array<{ tag_id: string }> = await ds.query(
      `SELECT tag_id FROM member_tags WHERE member_id = $1`,
      [lc.member_id],
    );
    expect(tags.map((r) => r.tag_id)).toEqual([tag.id]);
    const days = await ds.query(
      `SELECT staff_userid, adds FROM acquisition_code_staff_days WHERE code_id = $1`,
      [code.id],
    );
    expect(days).toEqual([{ staff_userid: 'staff-a', adds: 1 }]);

    // A state another acquisition kind owns (the registry) is handled the same way.
    const friend = `wm${uniq()}`;
    await push(brand.id, corpId, added('tst_known', 'staff-b', friend));
    await waitUntil(async () => (await welcomeSends(friend)).length === 1, 20_000, 'registry welcome');
    const [rc] = await ds.query(
      `SELECT kind, ref_id, source_channel FROM acquisition_contacts WHERE brand_id = $1 AND external_userid = $2`,
      [brand.id, friend],
    );
    expect(rc).toEqual({ kind: 'test_kind', ref_id: 'ref-1', source_channel: 'bilibili' });
    // A state nobody owns is left to the communities handler alone.
    const stranger = `wm${uniq()}`;
    await push(brand.id, corpId, added('unknown-state', 'staff-b', stranger));
    await eventsDone(brand.id, 4);
    expect(
      await ds.query(`SELECT 1 FROM acquisition_contacts WHERE brand_id = $1 AND external_userid = $2`, [
        brand.id,
        stranger,
      ]),
    ).toEqual([]);
  });

  it('records an expired WelcomeCode (41050) and a customer who already chatted (41051) with their reason, without retrying; a code past 20 s is never sent', async () => {
    const { brand, corpId } = await brandWithCorp();
    const code = (await createCode(brand, { welcome: { text: 'Welcome!' } })).body as Code;
    try {
      await sim.client.config({ welcomeCodeTtlMs: 1 });
      const late = `wm${uniq()}`;
      await push(brand.id, corpId, added(code.state, 'staff-a', late));
      const [w] = await waitFor(async () => {
        const rows = await welcomes(brand.id);
        return rows[0] && rows[0].status !== 'pending' && rows[0].status !== 'sending' ? rows : undefined;
      });
      expect(w).toMatchObject({ status: 'expired', attempts: 1 });
      expect(w.reason).toContain('41050');
    } finally {
      await sim.client.config({ welcomeCodeTtlMs: 20_000 });
    }

    await sim.client.faults([{ path: 'send_welcome_msg', errcode: 41051 }]);
    try {
      const chatty = `wm${uniq()}`;
      await push(brand.id, corpId, added(code.state, 'staff-b', chatty));
      const rows = await waitFor(async () => {
        const r = await welcomes(brand.id);
        return r[1] && r[1].status !== 'pending' && r[1].status !== 'sending' ? r : undefined;
      });
      expect(rows[1]).toMatchObject({ status: 'already_chatted', attempts: 1 });
      expect(rows[1].reason).toContain('41051');
    } finally {
      await sim.client.clearFaults();
    }

    // An event 30 s old: its code is past WeCom's window, so Siyu does not call at all.
    const old = `wm${uniq()}`;
    await push(brand.id, corpId, added(code.state, 'staff-c', old), {
      timestamp: String(Math.floor(Date.now() / 1000) - 30),
    });
    const rows = await waitFor(async () => {
      const r = await welcomes(brand.id);
      return r[2]?.status === 'expired' ? r : undefined;
    });
    expect(rows[2].attempts).toBe(0);
    expect(await welcomeSends(old)).toEqual([]);
    // Nothing was retried: one attempt each.
    expect((await welcomes(brand.id)).map((r) => r.attempts)).toEqual([1, 1, 0]);
  });

  it('retries a transient failure with backoff inside the 20 s window and sends once', async () => {
    const { brand, corpId } = await brandWithCorp();
    const code = (await createCode(brand, { welcome: { text: 'Welcome back!' } })).body as Code;
    // WeCom answers -1 (system busy) to send_welcome_msg until the first failure is recorded.
    await sim.client.faults([{ path: 'send_welcome_msg', errcode: -1 }]);
    const external = `wm${uniq()}`;
    try {
      await push(brand.id, corpId, added(code.state, 'staff-a', external));
      const [failed] = await waitFor(async () => {
        const rows = await welcomes(brand.id);
        return rows[0]?.reason ? rows : undefined;
      }, 20_000);
      expect(failed.reason).toContain('retryable');
    } finally {
      await sim.client.clearFaults();
    }
    const [w] = await waitFor(async () => {
      const rows = await welcomes(brand.id);
      return rows[0]?.status === 'sent' ? rows : undefined;
    }, 20_000);
    expect(w.attempts).toBeGreaterThan(1);
    expect(w.reason).toBeNull();
    expect(await welcomeSends(external)).toHaveLength(1);
  });

  it('the sweeper re-enqueues a pending welcome whose job Redis lost, while its code is valid', async () => {
    const { brand } = await brandWithCorp();
    const external = `wm${uniq()}`;
    const { welcome_code } = await sim.client.post<{ welcome_code: string }>('/_sim/welcome-codes', {
      external_userid: external,
      userid: 'staff-a',
    });
    // The row exists but its job never reached Redis (a flush between commit and enqueue).
    const [c] = await ds.query(
      `INSERT INTO acquisition_contacts (brand_id, kind, state, staff_userid, external_userid, added_at)
       VALUES ($1, 'channel_code', 's', 'staff-a', $2, now()) RETURNING id`,
      [brand.id, external],
    );
    await ds.query(
      `INSERT INTO acquisition_welcomes (brand_id, contact_id, welcome_code, message, received_at, expires_at)
       VALUES ($1, $2, $3, '{"text":"hello again"}', now(), now() + interval '15 seconds'),
              ($1, $4, 'gone', '{"text":"too late"}', now() - interval '30 seconds', now() - interval '10 seconds')`,
      [
        brand.id,
        c.id,
        welcome_code,
        (
          await ds.query(
            `INSERT INTO acquisition_contacts (brand_id, kind, state, staff_userid, external_userid, added_at)
             VALUES ($1, 'channel_code', 's', 'staff-b', $2, now() - interval '30 seconds') RETURNING id`,
            [brand.id, `wm${uniq()}`],
          )
        )[0].id,
      ],
    );
    await waitUntil(async () => (await welcomeSends(external)).length === 1, 15_000, 'swept welcome sent');
    const rows = await waitFor(async () => {
      const r = await welcomes(brand.id);
      return r.every((x) => x.status !== 'pending') ? r : undefined;
    });
    expect(rows.map((r) => r.status)).toEqual(['sent', 'expired']);
  });

  it('routing: a staff member at the daily cap leaves the code (update_contact_way), least-loaded follows the adds, a schedule follows the brand clock', async () => {
    const { brand, corpId, token } = await brandWithCorp();
    const capped = (
      await createCode(brand, {
        staff: ['staff-a', 'staff-b'],
        routing: { rule: 'round_robin', dailyCap: 1 },
      })
    ).body as Code;
    expect(capped.activeStaff).toEqual(['staff-a', 'staff-b']);
    await push(brand.id, corpId, added(capped.state, 'staff-a', `wm${uniq()}`));
    await waitUntil(
      async () => (await getCode(brand, capped.id)).activeStaff.join() === 'staff-b',
      20_000,
      'staff-a capped out',
    );
    expect((await simWay(token, capped.configId)).contact_way.user).toEqual(['staff-b']);

    const least = (
      await createCode(brand, {
        staff: ['staff-a', 'staff-b', 'staff-c'],
        routing: { rule: 'least_loaded' },
      })
    ).body as Code;
    await push(brand.id, corpId, added(least.state, 'staff-b', `wm${uniq()}`));
    await waitUntil(
      async () => (await getCode(brand, least.id)).activeStaff.join() === 'staff-a,staff-c',
      20_000,
      'least-loaded moved',
    );
    expect((await simWay(token, least.configId)).contact_way.user).toEqual(['staff-a', 'staff-c']);

    // The brand's weekday now (Asia/Shanghai): staff-c is on duty today, staff-a every other day.
    const { localClock } = await import('@siyu/acquisition');
    const today = localClock(new Date(), 'Asia/Shanghai').weekday;
    const others = [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today);
    const scheduled = (
      await createCode(brand, {
        staff: ['staff-a', 'staff-c'],
        routing: {
          rule: 'schedule',
          schedule: [
            { weekdays: [today], start: '00:00', end: '23:59', staff: ['staff-c'] },
            { weekdays: others, start: '00:00', end: '23:59', staff: ['staff-a'] },
          ],
        },
      })
    ).body as Code;
    expect(scheduled.activeStaff).toEqual(['staff-c']);
    expect((await simWay(token, scheduled.configId)).contact_way.user).toEqual(['staff-c']);
  });
});
