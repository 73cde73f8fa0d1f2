import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Module, OnModuleInit, Type } from '@nestjs/common';
// Types only: the app loads after wecom-sim is up, with WECOM_BASE_URL pointing at it (the
// communities handlers read groups from WeCom), so @siyu/* and the factories load lazily below.
import type { WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import { DataSource } from 'typeorm';
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { waitFor } from './support/processes';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type Channels = typeof import('@siyu/channels');

/** A stand-in handler beside the real ones: records change_external_chat events, failing on request. */
const recorder = { seen: [] as WecomCallbackEvent[], failNext: 0 };

function recorderModule(channels: Channels): Type<unknown> {
  @Injectable()
  class ChatEventRecorder implements OnModuleInit {
    constructor(@Inject(channels.WecomEventRegistry) private readonly registry: WecomEventRegistry) {}
    onModuleInit(): void {
      this.registry.on(
        'change_external_chat',
        async (event) => {
          if (recorder.failNext > 0) {
            recorder.failNext--;
            throw new Error('handler failed on purpose');
          }
          recorder.seen.push(event);
        },
        'test.recorder',
      );
    }
  }

  @Module({
    imports: [channels.ChannelsModule, channels.ChannelsWorkerModule],
    providers: [ChatEventRecorder],
  })
  class RecorderModule {}
  return RecorderModule;
}

const TOKEN = 'siyuCallbackToken1';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

describe('WeCom callback endpoint with wecom-sim pushing signed, encrypted events (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let base: string;
  let ds: DataSource;

  const setCorp = (brand: TestBrand, corpId: string, token = TOKEN, key = AES_KEY) =>
    t
      .http()
      .put('/v1/channels/wecom')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .send({ corpId, contactSecret: 'contact-secret-value', callbackToken: token, encodingAesKey: key })
      .expect(200);

  const url = (brandId: string) => `${base}/v1/channels/wecom/callback/${brandId}`;
  const push = (
    brandId: string,
    corpId: string,
    event: Record<string, unknown>,
    over: Record<string, unknown> = {},
  ) =>
    sim.client.post<{ status: number | null; body?: string }>('/_sim/callbacks', {
      url: url(brandId),
      token: TOKEN,
      encodingAESKey: AES_KEY,
      corpId,
      event,
      ...over,
    });
  const events = async (brandId: string) =>
    (await ds.query(
      `SELECT id, event, change_type, status, attempts, payload, last_error FROM channel_wecom_events WHERE brand_id = $1 ORDER BY id`,
      [brandId],
    )) as Array<{
      id: string;
      event: string;
      change_type: string;
      status: string;
      attempts: number;
      payload: Record<string, unknown>;
    }>;

  const joinEvent = (chatId: string, member: string) => ({
    Event: 'change_external_chat',
    ChangeType: 'update',
    ChatId: chatId,
    UpdateDetail: 'add_member',
    JoinScene: 3,
    MemChangeCnt: 1,
    MemChangeList: [member],
  });

  let createBrand: typeof import('./factories/brand.factory').createBrand;
  let encryptCallback: Channels['encryptCallback'];
  let callbackSignature: Channels['callbackSignature'];

  beforeAll(async () => {
    ({ sim, t } = await startAppWithSim(async () => [recorderModule(await import('@siyu/channels'))]));
    ({ createBrand } = await import('./factories/brand.factory'));
    ({ encryptCallback, callbackSignature } = await import('@siyu/channels'));
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  it('passes WeCom URL verification (GET with an encrypted echostr)', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwVerifyCorp');
    const res = await sim.client.post<{ status: number; echoed: boolean }>('/_sim/callbacks/verify', {
      url: url(brand.id),
      token: TOKEN,
      encodingAESKey: AES_KEY,
      corpId: 'wwVerifyCorp',
    });
    expect(res).toMatchObject({ status: 200, echoed: true });
    // The same check with a wrong token is refused.
    const bad = await sim.client.post<{ status: number; echoed: boolean }>('/_sim/callbacks/verify', {
      url: url(brand.id),
      token: 'otherToken',
      encodingAESKey: AES_KEY,
      corpId: 'wwVerifyCorp',
    });
    expect(bad).toMatchObject({ status: 401, echoed: false });
  });

  it('stores an event once, answers success, and hands it to the registered handler once; a replay changes nothing', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwEventsCorp');
    const event = joinEvent('wrChat1', 'wmMember1');
    const first = await push(brand.id, 'wwEventsCorp', event, { timestamp: '1700000000', nonce: '111' });
    expect(first).toMatchObject({ status: 200, body: 'success' });
    await waitFor(
      async () => ((await events(brand.id))[0]?.status === 'done' ? true : undefined),
      15_000,
      'event done',
    );
    // WeCom re-sends the same event (no answer in time): a different nonce and ciphertext, the same XML.
    const replay = await push(brand.id, 'wwEventsCorp', event, { timestamp: '1700000000', nonce: '222' });
    expect(replay).toMatchObject({ status: 200, body: 'success' });
    const rows = await events(brand.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event: 'change_external_chat',
      change_type: 'update',
      status: 'done',
      attempts: 1,
    });
    expect(rows[0].payload).toMatchObject({
      ChatId: 'wrChat1',
      UpdateDetail: 'add_member',
      MemChangeList: { Item: ['wmMember1'] },
    });
    const mine = recorder.seen.filter((e) => e.brandId === brand.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      event: 'change_external_chat',
      changeType: 'update',
      fields: { ChatId: 'wrChat1' },
    });
    // A different event is a new row.
    await push(brand.id, 'wwEventsCorp', joinEvent('wrChat1', 'wmMember2'), { timestamp: '1700000001' });
    expect(await events(brand.id)).toHaveLength(2);
  });

  it('an add-contact event (its WelcomeCode lasts 20 s) is queued ahead of every other event: no priority, which BullMQ runs first', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwPriorityCorp');
    await push(brand.id, 'wwPriorityCorp', joinEvent('wrChatP', 'wmMemberP'));
    await push(brand.id, 'wwPriorityCorp', {
      Event: 'change_external_contact',
      ChangeType: 'add_external_contact',
      UserID: 'staffP',
      ExternalUserID: 'wmNewContactP',
      State: 'poster',
    });
    const rows = await events(brand.id);
    expect(rows.map((r) => r.change_type)).toEqual(['update', 'add_external_contact']);
    const { QueueRegistry } = await import('@siyu/platform');
    const { WecomEventsQueue, wecomEventJobId, ROUTINE_EVENT_PRIORITY } = await import('@siyu/channels');
    const queue = t.app.get(QueueRegistry).get(WecomEventsQueue);
    const [join, add] = await Promise.all(rows.map((r) => queue.getJob(wecomEventJobId(String(r.id)))));
    expect(join?.opts.priority).toBe(ROUTINE_EVENT_PRIORITY);
    expect(ROUTINE_EVENT_PRIORITY).toBeGreaterThan(0);
    expect(add?.opts.priority ?? 0).toBe(0);
  });

  it('a failing handler leaves the event failed, then it is retried until it succeeds', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwRetryCorp');
    recorder.failNext = 1;
    await push(brand.id, 'wwRetryCorp', joinEvent('wrRetry', 'wmR'));
    const row = await waitFor(
      async () => (await events(brand.id)).find((r) => r.status === 'done'),
      30_000,
      'the retried event to be done',
    );
    expect(row.attempts).toBe(2);
    expect(recorder.seen.filter((e) => e.brandId === brand.id)).toHaveLength(1);
  });

  it('an event nobody handles is kept as ignored, with personal free text redacted', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwIgnoredCorp');
    // change_external_chat and change_external_contact have handlers (communities); tag changes have none.
    const res = await push(brand.id, 'wwIgnoredCorp', {
      Event: 'change_external_tag',
      ChangeType: 'update',
      UserID: 'staff1',
      ExternalUserID: 'wmNewCustomer',
      State: 'live-0521',
      Remark: '张三 13800138000',
    });
    expect(res.status).toBe(200);
    const row = await waitFor(
      async () => (await events(brand.id)).find((r) => r.status === 'ignored'),
      15_000,
      'ignored',
    );
    expect(row.payload).toMatchObject({
      ExternalUserID: 'wmNewCustomer',
      State: 'live-0521',
      Remark: '[redacted]',
    });
    expect(JSON.stringify(row.payload)).not.toContain('13800138000');
  });

  it('a bad signature is 401 problem+json and stores nothing', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwSigCorp');
    const res = await push(brand.id, 'wwSigCorp', joinEvent('wrX', 'wmX'), { token: 'notTheToken' });
    expect(res.status).toBe(401);
    const encrypt = encryptCallback('<xml><Event>change_external_chat</Event></xml>', AES_KEY, 'wwSigCorp');
    const sig = callbackSignature(TOKEN, '1700000000', 'n1', encrypt);
    const envelope = `<xml><ToUserName><![CDATA[wwSigCorp]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`;
    const tampered = await t
      .http()
      .post(
        `/v1/channels/wecom/callback/${brand.id}?msg_signature=${sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'))}&timestamp=1700000000&nonce=n1`,
      )
      .set('content-type', 'text/xml')
      .send(envelope);
    expect(tampered.status).toBe(401);
    expect(tampered.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(tampered.body).toMatchObject({ code: 'CALLBACK_SIGNATURE_INVALID', status: 401 });
    // The genuine signature over the same envelope is accepted.
    const good = await t
      .http()
      .post(`/v1/channels/wecom/callback/${brand.id}?msg_signature=${sig}&timestamp=1700000000&nonce=n1`)
      .set('content-type', 'text/xml')
      .send(envelope);
    expect(good.status).toBe(200);
    expect(good.text).toBe('success');
    expect(await events(brand.id)).toHaveLength(1);
  });

  it('a message encrypted for another corp (receiveid) is rejected, even with the right token and key', async () => {
    const brand = await createBrand(t.app);
    await setCorp(brand, 'wwRightCorp');
    const res = await push(brand.id, 'wwSomeoneElse', joinEvent('wrY', 'wmY'));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body ?? '{}')).toMatchObject({ code: 'CALLBACK_RECEIVER_MISMATCH' });
    expect(await events(brand.id)).toHaveLength(0);
  });

  it("tenancy: brand B's URL refuses brand A's callbacks, and a brand without a corp is 404", async () => {
    const a = await createBrand(t.app);
    const b = await createBrand(t.app);
    await setCorp(a, 'wwTenantA');
    await setCorp(b, 'wwTenantB', 'tokenOfBrandB', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    const res = await push(b.id, 'wwTenantA', joinEvent('wrZ', 'wmZ'));
    expect(res.status).toBe(401);
    expect(await events(b.id)).toHaveLength(0);
    expect(await events(a.id)).toHaveLength(0);
    const none = await createBrand(t.app);
    expect((await push(none.id, 'wwTenantA', joinEvent('wrZ', 'wmZ'))).status).toBe(404);
    // The event log is per brand too.
    await push(a.id, 'wwTenantA', joinEvent('wrZ', 'wmZ'));
    const [row] = await events(a.id);
    await t
      .http()
      .get(`/v1/channels/wecom/events/${row.id}`)
      .set('authorization', `Bearer ${b.owner.token}`)
      .expect(404);
    const list = await t
      .http()
      .get('/v1/channels/wecom/events')
      .set('authorization', `Bearer ${a.owner.token}`)
      .expect(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([row.id]);
  });

  it('XML is accepted on the callback route only', async () => {
    const brand = await createBrand(t.app);
    const res = await t
      .http()
      .post('/v1/tags')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .set('content-type', 'text/xml')
      .send('<xml><name>x</name></xml>');
    expect(res.status).toBe(415);
  });
});
