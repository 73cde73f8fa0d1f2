import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { waitFor, waitUntil } from './support/processes';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type BrandFactory = typeof import('./factories/brand.factory');
type WecomFactory = typeof import('./factories/wecom.factory');
type Acquisition = typeof import('@siyu/acquisition');

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
type Row = Record<string, unknown>;

describe('acquisition growth: group codes, referral fission and churn (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let base: string;
  let ds: DataSource;
  let f: BrandFactory;
  let wf: WecomFactory;
  let acq: Acquisition;
  let clock = Math.floor(Date.now() / 1000) - 3_600;

  beforeAll(async () => {
    ({ sim, t } = await startAppWithSim(async () => {
      const ch = await import('@siyu/channels');
      const a = await import('@siyu/acquisition');
      return [
        ch.ChannelsWorkerModule,
        a.AcquisitionWorkerModule,
        a.JoinWaysWorkerModule,
        a.ReferralsWorkerModule,
        a.ChurnWorkerModule,
      ];
    }));
    f = await import('./factories/brand.factory');
    wf = await import('./factories/wecom.factory');
    acq = await import('@siyu/acquisition');
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  /** A fresh brand with a WeCom corp connected to wecom-sim. */
  async function brandWithCorp(): Promise<{ brand: TestBrand; corpId: string }> {
    const brand = await f.createBrand(t.app);
    const corpId = await wf.connectWecom(t, brand);
    return { brand, corpId };
  }

  const api = (b: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(bearer(b.owner.token)),
    post: (path: string, body: unknown = {}) =>
      t
        .http()
        .post(path)
        .set(bearer(b.owner.token))
        .send(body as object),
    patch: (path: string, body: unknown) =>
      t
        .http()
        .patch(path)
        .set(bearer(b.owner.token))
        .send(body as object),
    put: (path: string, body: unknown) =>
      t
        .http()
        .put(path)
        .set(bearer(b.owner.token))
        .send(body as object),
    del: (path: string) => t.http().delete(path).set(bearer(b.owner.token)),
  });

  /** Each event gets a later CreateTime than the one before (WeCom's event time, in seconds). */
  const nextTime = () => ++clock;

  async function pushRaw(brandId: string, corpId: string, event: Record<string, unknown>): Promise<void> {
    const res = await sim.client.post<{ status: number; body: string }>('/_sim/callbacks', {
      url: `${base}/v1/channels/wecom/callback/${brandId}`,
      token: wf.SIM_CALLBACK.callbackToken,
      encodingAESKey: wf.SIM_CALLBACK.encodingAesKey,
      corpId,
      event: { CreateTime: nextTime(), ...event },
    });
    expect(res).toMatchObject({ status: 200, body: 'success' });
  }

  /** Waits until every stored event of the brand was handled; a handler failure fails the test. */
  async function settled(brandId: string, count: number): Promise<void> {
    await waitFor(
      async () => {
        const rows: Array<{ status: string; last_error: string | null }> = await ds.query(
          `SELECT status, last_error FROM channel_wecom_events WHERE brand_id = $1`,
          [brandId],
        );
        const failed = rows.find((r) => r.last_error);
        if (failed) throw new Error(`a handler failed: ${failed.last_error}`);
        return rows.length >= count && rows.every((r) => r.status === 'done') ? true : undefined;
      },
      20_000,
      `${count} events to be handled`,
    );
  }

  async function push(
    brandId: string,
    corpId: string,
    ...events: Array<Record<string, unknown>>
  ): Promise<void> {
    const [{ n }]: Array<{ n: number }> = await ds.query(
      `SELECT count(*)::int AS n FROM channel_wecom_events WHERE brand_id = $1`,
      [brandId],
    );
    for (const e of events) await pushRaw(brandId, corpId, e);
    await settled(brandId, n + events.length);
  }

  const addContact = (staff: string, external: string, state?: string) => ({
    Event: 'change_external_contact',
    ChangeType: 'add_external_contact',
    UserID: staff,
    ExternalUserID: external,
    ...(state ? { State: state } : {}),
  });
  const delContact = (kind: 'del_follow_user' | 'del_external_contact', staff: string, external: string) => ({
    Event: 'change_external_contact',
    ChangeType: kind,
    UserID: staff,
    ExternalUserID: external,
  });
  const groupChange = (
    chatId: string,
    detail: 'add_member' | 'del_member',
    userids: string[],
    state?: string,
  ) => ({
    Event: 'change_external_chat',
    ChangeType: 'update',
    ChatId: chatId,
    UpdateDetail: detail,
    ...(detail === 'add_member' ? { JoinScene: 3 } : { QuitScene: 0 }),
    ...(state ? { State: state } : {}),
    MemChangeCnt: userids.length,
    MemChangeList: userids,
  });

  /** A group in wecom-sim (owner staff-a plus `customers`) and its stub row in the brand's groups. */
  async function group(brandId: string, chatId: string, customers: string[]): Promise<void> {
    await sim.client.post('/_sim/groupchats', {
      chat_id: chatId,
      name: `群 ${chatId}`,
      owner: 'staff-a',
      member_list: [{ userid: 'staff-a', type: 1 }, ...customers.map((userid) => ({ userid, type: 2 }))],
    });
    await ds.query(
      `INSERT INTO community_groups (brand_id, chat_id, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [brandId, chatId, `群 ${chatId}`],
    );
  }

  async function simJoinWay(corpId: string, configId: string): Promise<Row> {
    // Without configured corp secrets the simulator issues a token to any corp.
    const token = await sim.client.wecomToken(corpId, 'any');
    const res = await sim.client.cgi('externalcontact/groupchat/get_join_way', token, {
      config_id: configId,
    });
    return res.join_way as Row;
  }

  async function couponTemplate(b: TestBrand, name: string): Promise<string> {
    const res = await api(b)
      .post('/v1/coupon-templates', { name, kind: 'fixed_amount', amountOffMinor: 1000 })
      .expect(201);
    await api(b).post(`/v1/coupon-templates/${res.body.id}/activate`).expect(200);
    return res.body.id as string;
  }

  describe('group codes', () => {
    it('creates a join way, counts joins by JoinScene 3 and State, rolls over when a group fills, adopts auto-created rooms', async () => {
      const { brand, corpId } = await brandWithCorp();
      await wf.wecomContacts(t, brand, 1, 'staff-a');
      const [g1, g2, g3] = [`wrA${uniq()}`, `wrB${uniq()}`, `wrC${uniq()}`];
      await group(brand.id, g1, [`wm${uniq()}`]);
      await group(brand.id, g2, []);
      const state = `jw_${uniq()}`;
      const created = await api(brand)
        .post('/v1/acquisition/join-ways', {
          name: '门店海报进群',
          state,
          chatIds: [g1, g2],
          groupLimit: 3,
          autoCreateRoom: true,
          roomBaseName: '福利群',
          roomBaseId: 10,
          welcomeText: '欢迎加入！',
        })
        .expect(201);
      expect(created.body).toMatchObject({
        state,
        chatIds: [g1, g2],
        activeChatIds: [g1, g2],
        status: 'active',
        joins: 0,
        welcomeText: '欢迎加入！',
      });
      expect(created.body.qrCode).toMatch(/^https:\/\//);
      const id = created.body.id as string;
      expect((await simJoinWay(corpId, created.body.configId)).chat_id_list).toEqual([g1, g2]);

      // Two customers join g1 through the code: it now holds 3 people (the limit), so the code routes to g2.
      const [c1, c2] = [`wm${uniq()}`, `wm${uniq()}`];
      await sim.client.post('/_sim/groupchats', {
        chat_id: g1,
        owner: 'staff-a',
        member_list: [
          { userid: 'staff-a', type: 1 },
          { userid: c1, type: 2 },
          { userid: c2, type: 2 },
        ],
      });
      await push(brand.id, corpId, groupChange(g1, 'add_member', [c1, c2], state));
      // A join without the code's state (an invite by a member) is not the code's.
      await push(brand.id, corpId, { ...groupChange(g2, 'add_member', [`wm${uniq()}`]), JoinScene: 1 });
      const rolled = await waitFor(async () => {
        const res = await api(brand).get(`/v1/acquisition/join-ways/${id}`).expect(200);
        return res.body.activeChatIds.length === 1 ? res.body : undefined;
      });
      expect(rolled).toMatchObject({
        activeChatIds: [g2],
        fullChatIds: [g1],
        joins: 2,
        joinsByChat: [{ chatId: g1, joins: 2 }],
      });
      expect((await simJoinWay(corpId, created.body.configId)).chat_id_list).toEqual([g2]);
      const audit: Row[] = await ds.query(
        `SELECT action FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
        [brand.id, id],
      );
      expect(audit.map((a) => a.action)).toEqual([
        'acquisition.join_way.create',
        'acquisition.join_way.rollover',
      ]);

      // WeCom created a room once every group was full (auto_create_room): joins to it count, and it joins the pool.
      const c3 = `wm${uniq()}`;
      await sim.client.post('/_sim/groupchats', {
        chat_id: g3,
        owner: 'staff-a',
        member_list: [
          { userid: 'staff-a', type: 1 },
          { userid: c3, type: 2 },
        ],
      });
      await push(brand.id, corpId, groupChange(g3, 'add_member', [c3], state));
      const adopted = await api(brand).get(`/v1/acquisition/join-ways/${id}`).expect(200);
      expect(adopted.body.chatIds).toEqual([g1, g2, g3]);
      expect(adopted.body.joins).toBe(3);

      // The group welcome template is WeCom's (group_welcome_template/add, then edit).
      const token = await sim.client.wecomToken(corpId, 'any');
      const welcome = () =>
        sim.client.cgi('externalcontact/group_welcome_template/get', token, {
          template_id: created.body.welcomeTemplateId,
        });
      expect((await welcome()).text).toEqual({ content: '欢迎加入！' });

      // Edit and delete are audited and reach WeCom.
      await api(brand).patch(`/v1/acquisition/join-ways/${id}`, { welcomeText: '新欢迎语' }).expect(200);
      expect((await welcome()).text).toEqual({ content: '新欢迎语' });
      await api(brand).del(`/v1/acquisition/join-ways/${id}`).expect(200);
      await api(brand).get(`/v1/acquisition/join-ways/${id}`).expect(404);
      const gone = await sim.client.cgi('externalcontact/groupchat/get_join_way', token, {
        config_id: created.body.configId,
      });
      expect(gone.errcode).not.toBe(0);
    });

    it('refuses bad input with 400 naming the field, and answers 404 for another brand', async () => {
      const { brand } = await brandWithCorp();
      const chat = `wrX${uniq()}`;
      await group(brand.id, chat, []);
      const good = { name: 'x', state: `jw_${uniq()}`, chatIds: [chat] };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...good, state: 'x'.repeat(31) }, 'state'],
        [{ ...good, state: 'rf_mine' }, 'state'],
        [{ ...good, chatIds: [`unknown${uniq()}`] }, 'chatIds'],
        [{ ...good, chatIds: [] }, 'chatIds'],
        [{ ...good, groupLimit: 501 }, 'groupLimit'],
        [{ ...good, autoCreateRoom: true, roomBaseId: 1 }, 'roomBaseName'],
      ];
      for (const [body, field] of cases) {
        const res = await api(brand).post('/v1/acquisition/join-ways', body).expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const [{ n }]: Array<{ n: number }> = await ds.query(
        `SELECT count(*)::int AS n FROM acquisition_join_ways WHERE brand_id = $1`,
        [brand.id],
      );
      expect(n).toBe(0);
      const ok = await api(brand).post('/v1/acquisition/join-ways', good).expect(201);
      await api(brand)
        .post('/v1/acquisition/join-ways', { ...good, name: 'again' })
        .expect(400);
      const other = await brandWithCorp();
      await api(other.brand).get(`/v1/acquisition/join-ways/${ok.body.id}`).expect(404);
      await api(other.brand).patch(`/v1/acquisition/join-ways/${ok.body.id}`, { name: 'y' }).expect(404);
      await api(other.brand).del(`/v1/acquisition/join-ways/${ok.body.id}`).expect(404);
      await api(brand).get('/v1/acquisition/join-ways/not-a-uuid').expect(400);
    });
  });

  describe('referral fission', () => {
    it("greets an invitee through the channel codes' add handler: the campaign's welcome, once, and its source channel and UTM", async () => {
      const { brand, corpId } = await brandWithCorp();
      const [inviter] = await wf.wecomContacts(t, brand, 1, 'staff-a');
      const campaign = await api(brand)
        .post('/v1/acquisition/referral-campaigns', {
          name: '老带新 · 欢迎语',
          startsAt: new Date(Date.now() - 3_600_000).toISOString(),
          staffUserids: ['staff-a'],
          sourceChannel: 'wecom',
          welcomeText: '感谢朋友推荐！',
          tiers: [{ invites: 1, couponTemplateId: await couponTemplate(brand, '邀请 1 人') }],
        })
        .expect(201);
      const invite = await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${campaign.body.id}/invites`, { memberId: inviter.id })
        .expect(201);
      const friend = `wm${uniq()}`;
      // Now (a WelcomeCode is good for 20 s after its event); WeCom delivers the event twice.
      const event = {
        ...addContact('staff-a', friend, invite.body.state),
        CreateTime: Math.floor(Date.now() / 1000),
      };
      await push(brand.id, corpId, event);
      await pushRaw(brand.id, corpId, event);
      const sends = async () =>
        (await sim.client.messages(friend)).messages.filter(
          (m) => m.api === 'externalcontact/send_welcome_msg',
        );
      await waitUntil(async () => (await sends()).length > 0, 20_000, 'the referral welcome');
      const [welcome]: Row[] = await ds.query(
        `SELECT w.status FROM acquisition_welcomes w JOIN acquisition_contacts c ON c.id = w.contact_id
          WHERE c.brand_id = $1 AND c.external_userid = $2`,
        [brand.id, friend],
      );
      expect(welcome).toEqual({ status: 'sent' });
      expect(await sends()).toHaveLength(1);
      expect(JSON.stringify((await sends())[0].payload)).toContain('感谢朋友推荐！');
      const [greeted]: Row[] = await ds.query(
        `SELECT c.kind, c.ref_id, m.source_channel, m.utm_source, m.utm_medium, m.utm_campaign
           FROM acquisition_contacts c JOIN members m ON m.id = c.member_id
          WHERE c.brand_id = $1 AND c.external_userid = $2`,
        [brand.id, friend],
      );
      expect(greeted).toEqual({
        kind: 'referral',
        ref_id: invite.body.id,
        source_channel: 'wecom',
        utm_source: 'referral',
        utm_medium: 'invite',
        utm_campaign: campaign.body.id,
      });
      const [invitee]: Row[] = await ds.query(
        `SELECT status FROM acquisition_referral_invitees WHERE campaign_id = $1 AND external_userid = $2`,
        [campaign.body.id, friend],
      );
      expect(invitee).toEqual({ status: 'pending' });
    });

    it('counts retained invitees, not deletes within the window, self-invites or known people, and rewards tiers once', async () => {
      const { brand, corpId } = await brandWithCorp();
      const [inviter, knownMember] = await wf.wecomContacts(t, brand, 2, 'staff-a');
      const chat = `wrR${uniq()}`;
      await group(brand.id, chat, []);
      const [t1, t2] = [await couponTemplate(brand, '邀请 2 人'), await couponTemplate(brand, '邀请 3 人')];
      const campaign = await api(brand)
        .post('/v1/acquisition/referral-campaigns', {
          name: '老带新',
          startsAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
          staffUserids: ['staff-a'],
          groupChatIds: [chat],
          sourceChannel: 'wecom',
          welcomeText: '感谢朋友推荐！',
          tiers: [
            { invites: 2, couponTemplateId: t1 },
            { invites: 3, couponTemplateId: t2 },
          ],
        })
        .expect(201);
      expect(campaign.body).toMatchObject({ retentionHours: 24, status: 'active' });
      const cid = campaign.body.id as string;

      const invite = await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${cid}/invites`, { memberId: inviter.id })
        .expect(201);
      expect(invite.body.state).toMatch(/^rf_[a-z0-9]+$/);
      expect(invite.body.state.length).toBeLessThanOrEqual(30);
      expect(invite.body.qrCode).toMatch(/^https:\/\//);
      expect(invite.body.joinQrCode).toMatch(/^https:\/\//);
      expect(invite.body.posterUrl).toContain(`/v1/acquisition/referral-posters/${invite.body.code}`);
      const again = await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${cid}/invites`, { memberId: inviter.id })
        .expect(201);
      expect(again.body.id).toBe(invite.body.id);
      const poster = await t.http().get(`/v1/acquisition/referral-posters/${invite.body.code}`).expect(200);
      expect(poster.body).toMatchObject({ campaignName: '老带新', qrCode: invite.body.qrCode });
      const state = invite.body.state as string;

      // The state resolver the add-contact handler asks: the campaign's source, UTM and welcome.
      const match = await t.app.get(acq.ReferralStateResolver).resolve(brand.id, state, ds.manager);
      expect(match).toMatchObject({
        kind: 'referral',
        refId: invite.body.id,
        sourceChannel: 'wecom',
        utm: { source: 'referral', medium: 'invite', campaign: cid, content: invite.body.code },
        welcome: { text: '感谢朋友推荐！', attachments: [] },
      });
      expect(await t.app.get(acq.ReferralStateResolver).resolve(brand.id, 'rf_nope', ds.manager)).toBeNull();

      const [a, b, quitter, joiner, leaver] = [1, 2, 3, 4, 5].map(() => `wm${uniq()}`);
      await push(
        brand.id,
        corpId,
        addContact('staff-a', a, state),
        addContact('staff-a', b, state),
        addContact('staff-a', quitter, state),
        addContact('staff-a', inviter.ext, state), // the inviter's own account
        addContact('staff-a', knownMember.ext, state), // already the brand's contact
        delContact('del_follow_user', 'staff-a', quitter), // deletes within the window
        groupChange(chat, 'add_member', [joiner, leaver], state),
        groupChange(chat, 'del_member', [leaver]),
      );
      const invitees: Row[] = await ds.query(
        `SELECT external_userid, via, status, refused_reason, lost_at IS NOT NULL AS lost
           FROM acquisition_referral_invitees WHERE campaign_id = $1 ORDER BY id`,
        [cid],
      );
      const byExt = Object.fromEntries(invitees.map((r) => [r.external_userid, r]));
      expect(invitees).toHaveLength(7);
      expect(byExt[a]).toMatchObject({ via: 'contact', status: 'pending', lost: false });
      expect(byExt[quitter]).toMatchObject({ status: 'pending', lost: true });
      expect(byExt[inviter.ext]).toMatchObject({ status: 'refused', refused_reason: 'self' });
      expect(byExt[knownMember.ext]).toMatchObject({ status: 'refused', refused_reason: 'known' });
      expect(byExt[joiner]).toMatchObject({ via: 'group', status: 'pending', lost: false });
      expect(byExt[leaver]).toMatchObject({ via: 'group', status: 'pending', lost: true });

      // Nothing is due yet: the window (24 h) has not passed.
      const now = await api(brand).post(`/v1/acquisition/referral-campaigns/${cid}/settle`).expect(200);
      expect(now.body).toEqual({ settled: 0, rewardsIssued: 0 });
      const settleAudit: Row[] = await ds.query(
        `SELECT after FROM audit_log WHERE brand_id = $1 AND action = 'acquisition.referral_campaign.settle'`,
        [brand.id],
      );
      expect(settleAudit).toHaveLength(1);

      // A day later: a, b and the joiner stayed (3 retained: both tiers); the quitter and the leaver are lost.
      const later = await t.app
        .get(acq.ReferralSettlementService)
        .settleDue(new Date(Date.now() + 25 * 3_600_000), { brandId: brand.id, campaignId: cid });
      expect(later).toEqual({ settled: 5, rewardsIssued: 2 });
      const again2 = await t.app
        .get(acq.ReferralSettlementService)
        .settleDue(new Date(Date.now() + 25 * 3_600_000), { brandId: brand.id, campaignId: cid });
      expect(again2).toEqual({ settled: 0, rewardsIssued: 0 });
      const coupons: Row[] = await ds.query(
        `SELECT template_id FROM coupons WHERE brand_id = $1 AND member_id = $2 ORDER BY template_id`,
        [brand.id, inviter.id],
      );
      expect(coupons.map((c) => c.template_id).sort()).toEqual([t1, t2].sort());

      const board = await api(brand).get(`/v1/acquisition/referral-campaigns/${cid}/leaderboard`).expect(200);
      expect(board.body.items).toEqual([
        {
          rank: 1,
          memberId: inviter.id,
          nickname: inviter.nickname,
          retained: 3,
          pending: 0,
          lost: 2,
          refused: 2,
          rewardTiers: [1, 2],
        },
      ]);
      const abuse = await api(brand)
        .get(`/v1/acquisition/referral-campaigns/${cid}/abuse`)
        .query({ quickDeleteMinutes: 60, burstCount: 5, burstMinutes: 30 })
        .expect(200);
      expect(abuse.body.quickDeletes).toHaveLength(1);
      expect(abuse.body.quickDeletes[0]).toMatchObject({ inviterMemberId: inviter.id, count: 2 });
      expect(abuse.body.bursts[0]).toMatchObject({ inviterMemberId: inviter.id, maxInWindow: 7 });
      const calm = await api(brand)
        .get(`/v1/acquisition/referral-campaigns/${cid}/abuse`)
        .query({ burstCount: 8 })
        .expect(200);
      expect(calm.body.bursts).toEqual([]);
      const view = await api(brand).get(`/v1/acquisition/referral-campaigns/${cid}`).expect(200);
      expect(view.body).toMatchObject({ invites: 1, invitees: 7, retained: 3, rewardsIssued: 2 });
    });

    it('issues each reward tier exactly once under concurrent callbacks and concurrent settlements', async () => {
      const { brand, corpId } = await brandWithCorp();
      const [inviter] = await wf.wecomContacts(t, brand, 1, 'staff-a');
      const [t1, t2] = [await couponTemplate(brand, '3 人'), await couponTemplate(brand, '6 人')];
      const campaign = await api(brand)
        .post('/v1/acquisition/referral-campaigns', {
          name: '即时奖励',
          startsAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
          staffUserids: ['staff-a'],
          retentionHours: 0,
          tiers: [
            { invites: 3, couponTemplateId: t1 },
            { invites: 6, couponTemplateId: t2 },
          ],
        })
        .expect(201);
      const cid = campaign.body.id as string;
      const invite = await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${cid}/invites`, { memberId: inviter.id })
        .expect(201);
      const [{ n }]: Array<{ n: number }> = await ds.query(
        `SELECT count(*)::int AS n FROM channel_wecom_events WHERE brand_id = $1`,
        [brand.id],
      );
      const invitees = Array.from({ length: 8 }, () => `wm${uniq()}`);
      await Promise.all(
        invitees.map((ext) => pushRaw(brand.id, corpId, addContact('staff-a', ext, invite.body.state))),
      );
      await settled(brand.id, n + invitees.length);

      // And settlements racing each other for the same inviter.
      const settlement = t.app.get(acq.ReferralSettlementService);
      const raced = await Promise.all(
        Array.from({ length: 6 }, () =>
          ds.transaction((m) => settlement.reward(m, brand.id, cid, inviter.id)),
        ),
      );
      expect(raced.reduce((x, y) => x + y, 0)).toBe(0);

      const rewards: Row[] = await ds.query(
        `SELECT tier, status FROM acquisition_referral_rewards WHERE campaign_id = $1 ORDER BY tier`,
        [cid],
      );
      expect(rewards).toEqual([
        { tier: 1, status: 'issued' },
        { tier: 2, status: 'issued' },
      ]);
      const coupons: Row[] = await ds.query(
        `SELECT template_id, count(*)::int AS n FROM coupons WHERE brand_id = $1 AND member_id = $2 GROUP BY template_id`,
        [brand.id, inviter.id],
      );
      expect(coupons.sort((x, y) => String(x.template_id).localeCompare(String(y.template_id)))).toEqual(
        [
          { template_id: t1, n: 1 },
          { template_id: t2, n: 1 },
        ].sort((x, y) => x.template_id.localeCompare(y.template_id)),
      );
      const [{ retained }]: Array<{ retained: number }> = await ds.query(
        `SELECT count(*)::int AS retained FROM acquisition_referral_invitees WHERE campaign_id = $1 AND status = 'retained'`,
        [cid],
      );
      expect(retained).toBe(8);
    });

    it('refuses bad input with 400 naming the field, and answers 404 for another brand', async () => {
      const { brand } = await brandWithCorp();
      const [member] = await wf.wecomContacts(t, brand, 1, 'staff-a');
      const tpl = await couponTemplate(brand, 'x');
      const good = { name: 'c', staffUserids: ['staff-a'], tiers: [{ invites: 2, couponTemplateId: tpl }] };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...good, staffUserids: ['nobody'] }, 'staffUserids'],
        [
          {
            ...good,
            tiers: [
              { invites: 3, couponTemplateId: tpl },
              { invites: 2, couponTemplateId: tpl },
            ],
          },
          'tiers[1].invites',
        ],
        [{ ...good, tiers: [{ invites: 2, couponTemplateId: randomUUID() }] }, 'tiers[0].couponTemplateId'],
        [{ ...good, retentionHours: 1000 }, 'retentionHours'],
        [{ ...good, groupChatIds: ['nochat'] }, 'groupChatIds'],
        [{ ...good, startsAt: '2030-01-02T00:00:00Z', endsAt: '2030-01-01T00:00:00Z' }, 'endsAt'],
      ];
      for (const [body, field] of cases) {
        const res = await api(brand).post('/v1/acquisition/referral-campaigns', body).expect(400);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body.errors.map((e: { field: string }) => e.field).join(' ')).toContain(
          field.split('[')[0],
        );
      }
      const ok = await api(brand).post('/v1/acquisition/referral-campaigns', good).expect(201);
      await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${ok.body.id}/invites`, { memberId: 'x' })
        .expect(400);
      const other = await brandWithCorp();
      const [stranger] = await wf.wecomContacts(t, other.brand, 1, 'staff-a');
      await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${ok.body.id}/invites`, { memberId: stranger.id })
        .expect(404);
      await api(other.brand).get(`/v1/acquisition/referral-campaigns/${ok.body.id}`).expect(404);
      await api(other.brand)
        .post(`/v1/acquisition/referral-campaigns/${ok.body.id}/invites`, { memberId: stranger.id })
        .expect(404);
      await api(other.brand).get(`/v1/acquisition/referral-campaigns/${ok.body.id}/leaderboard`).expect(404);
      // Ended: no more invites.
      await api(brand)
        .patch(`/v1/acquisition/referral-campaigns/${ok.body.id}`, { status: 'ended' })
        .expect(200);
      await api(brand)
        .post(`/v1/acquisition/referral-campaigns/${ok.body.id}/invites`, { memberId: member.id })
        .expect(409);
      const audit: Row[] = await ds.query(
        `SELECT action FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
        [brand.id, ok.body.id],
      );
      expect(audit.map((r) => r.action)).toEqual([
        'acquisition.referral_campaign.create',
        'acquisition.referral_campaign.update',
      ]);
    });
  });

  describe('churn', () => {
    let hook: Server;
    let hookUrl: string;
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    beforeAll(async () => {
      hook = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          received.push({ headers: req.headers, body });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/churn`;
    });
    afterAll(() => new Promise<void>((r) => hook.close(() => r())));

    it('records lost contacts, alerts the staff member by app message and signed webhook, and selects lost members', async () => {
      const { brand, corpId } = await brandWithCorp();
      const secret = `whsec-${uniq()}-${uniq()}`;
      await api(brand)
        .put('/v1/acquisition/churn/settings', {
          appAlerts: true,
          webhookUrl: hookUrl,
          webhookSecret: secret,
        })
        .expect(400); // appAlerts needs an agentId
      const put = await api(brand)
        .put('/v1/acquisition/churn/settings', {
          appAlerts: true,
          agentId: 1000002,
          webhookUrl: hookUrl,
          webhookSecret: secret,
        })
        .expect(200);
      expect(put.body).toEqual({
        appAlerts: true,
        agentId: 1000002,
        webhookUrl: hookUrl,
        webhookSecretSet: true,
        alertOn: 'customer',
      });
      const staff = `staff-${uniq()}`;
      const [gone, deleted, stays] = await wf.wecomContacts(t, brand, 3, staff);
      // Contacts since yesterday (deletions come after the add, or the follow would ignore them).
      await ds.query(
        `UPDATE community_contact_follows SET added_at = now() - interval '1 day',
                state = CASE WHEN external_userid = $2 THEN 'poster' END
          WHERE brand_id = $1`,
        [brand.id, gone.ext],
      );

      await push(
        brand.id,
        corpId,
        delContact('del_follow_user', staff, gone.ext), // the customer deleted the staff member
        delContact('del_external_contact', staff, deleted.ext), // the staff member deleted the customer
      );
      const events = await api(brand).get('/v1/acquisition/churn/events').expect(200);
      expect(events.body.items).toHaveLength(2);
      const byExt = Object.fromEntries(events.body.items.map((e: Row) => [e.externalUserid, e]));
      expect(byExt[gone.ext]).toMatchObject({ memberId: gone.id, endedBy: 'customer', state: 'poster' });
      expect(byExt[deleted.ext]).toMatchObject({ memberId: deleted.id, endedBy: 'staff', alerts: [] });

      await waitUntil(async () => {
        const rows: Row[] = await ds.query(
          `SELECT a.status FROM acquisition_churn_alerts a JOIN acquisition_churn_events e ON e.id = a.churn_event_id
            WHERE e.brand_id = $1`,
          [brand.id],
        );
        return rows.length === 2 && rows.every((r) => r.status === 'sent');
      }, 20_000);
      const msgs = await sim.client.messages(staff);
      const appMsgs = (msgs as unknown as { messages: Array<{ api: string; payload: Row }> }).messages.filter(
        (mm) => mm.api === 'message/send',
      );
      expect(appMsgs).toHaveLength(1);
      expect(JSON.stringify(appMsgs[0].payload)).toContain(gone.nickname);
      expect(received).toHaveLength(1);
      const [call] = received;
      const ts = call.headers['x-siyu-timestamp'] as string;
      expect(call.headers['x-siyu-signature']).toBe(
        `sha256=${acq.churnWebhookSignature(secret, ts, call.body)}`,
      );
      expect(JSON.parse(call.body)).toMatchObject({
        type: 'contact.lost',
        memberId: gone.id,
        staffUserid: staff,
        endedBy: 'customer',
        state: 'poster',
      });

      // The same deletion again (a redelivery that differs in an unrelated field, so channels stores it
      // as a new event) adds no churn event and no alert.
      await push(brand.id, corpId, {
        ...delContact('del_follow_user', staff, gone.ext),
        CreateTime: clock - 1,
        Redelivered: '1',
      });
      const [{ n, alerts }]: Array<{ n: number; alerts: number }> = await ds.query(
        `SELECT count(*)::int AS n, (SELECT count(*)::int FROM acquisition_churn_alerts WHERE brand_id = $1) AS alerts
           FROM acquisition_churn_events WHERE brand_id = $1`,
        [brand.id],
      );
      expect({ n, alerts }).toEqual({ n: 2, alerts: 2 });
      expect(received).toHaveLength(1);

      // Segments: lost_contact and days_since_lost_contact.
      const preview = (rule: unknown) => api(brand).post('/v1/segments/preview', { rule }).expect(200);
      const lost = await preview({ field: 'lost_contact', op: 'eq', value: true });
      expect(lost.body.count).toBe(2);
      expect(lost.body.sample.map((m: Row) => m.id).sort()).toEqual([gone.id, deleted.id].sort());
      expect(
        (await preview({ field: 'lost_contact', op: 'eq', value: false })).body.sample.map((m: Row) => m.id),
      ).toEqual([stays.id]);
      expect((await preview({ field: 'days_since_lost_contact', op: 'gte', value: 0 })).body.count).toBe(2);
      expect((await preview({ field: 'days_since_lost_contact', op: 'gte', value: 1 })).body.count).toBe(0);
      await api(brand)
        .post('/v1/segments/preview', { rule: { field: 'days_since_lost_contact', op: 'gte', value: -1 } })
        .expect(400);

      // Churn rates per staff member and per state.
      const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const byStaff = await api(brand)
        .get('/v1/acquisition/churn/rates')
        .query({ by: 'staff', from, to })
        .expect(200);
      expect(byStaff.body.rows).toEqual([
        {
          key: staff,
          activeAtStart: 0,
          added: 3,
          lost: 2,
          lostByCustomer: 1,
          lostByStaff: 1,
          churnRate: '0.6667',
        },
      ]);
      const byState = await api(brand)
        .get('/v1/acquisition/churn/rates')
        .query({ by: 'state', from, to })
        .expect(200);
      expect(byState.body.rows).toEqual([
        {
          key: '',
          activeAtStart: 0,
          added: 2,
          lost: 1,
          lostByCustomer: 0,
          lostByStaff: 1,
          churnRate: '0.5000',
        },
        {
          key: 'poster',
          activeAtStart: 0,
          added: 1,
          lost: 1,
          lostByCustomer: 1,
          lostByStaff: 0,
          churnRate: '1.0000',
        },
      ]);
      const bad = await api(brand).get('/v1/acquisition/churn/rates').query({ by: 'tag' }).expect(400);
      expect(bad.body.errors[0].field).toBe('by');
      await api(brand)
        .get('/v1/acquisition/churn/rates')
        .query({ by: 'staff', from: to, to: from })
        .expect(400);
      const audit: Row[] = await ds.query(
        `SELECT action FROM audit_log WHERE brand_id = $1 AND action LIKE 'acquisition.churn%'`,
        [brand.id],
      );
      expect(audit).toHaveLength(1);
    });
  });
});
