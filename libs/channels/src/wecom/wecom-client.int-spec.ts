import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Actor, PlatformModule } from '@siyu/platform';
import { withConfig } from '../../../../test/support/config';
import { createBrand } from '../../../../test/factories/brand.factory';
import { SimProcess, startSimProcess } from '../../../../test/support/wecom-sim';
import { ChannelAccountsService } from '../accounts/channel-accounts.service';
import { ChannelAdapters } from '../adapters/channel-adapters';
import { ChannelException } from '../channel-errors';
import { ChannelsModule } from '../channels.module';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';
import { WecomClient, WecomCredentials } from './wecom-client';

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 12);

let simUrl = '';
async function boot(): Promise<INestApplicationContext> {
  const builder = Test.createTestingModule({ imports: [PlatformModule, ChannelsModule] });
  const mod = await withConfig(builder, { WECOM_BASE_URL: simUrl, WECHAT_BASE_URL: simUrl }).compile();
  return mod.init();
}

describe('WeCom client and broadcast adapters against a real wecom-sim process (int)', () => {
  let sim: SimProcess;
  let app: INestApplicationContext;
  let client: WecomClient;

  const stats = () => sim.client.stats();
  const calls = async (api: string) => (await stats()).apis[api]?.calls ?? 0;
  const creds = (): WecomCredentials => ({ corpId: `ww${uniq()}`, secret: `s-${uniq()}` });

  /** A brand with a WeCom corp, as an operator would set it. */
  async function brandWithCorp(): Promise<{ brandId: string; corpId: string }> {
    const brand = await createBrand(app);
    const actor: Actor = {
      brandId: brand.id,
      actorType: 'operator',
      actorId: brand.owner.id,
      requestId: null,
    };
    const corpId = `ww${uniq()}`;
    await app.get(ChannelAccountsService).putWecom(actor, {
      corpId,
      contactSecret: `secret-${uniq()}`,
      callbackToken: 'tok123',
      encodingAesKey: 'a'.repeat(43),
    });
    return { brandId: brand.id, corpId };
  }

  beforeAll(async () => {
    sim = await startSimProcess();
    simUrl = sim.url;
    app = await boot();
    client = app.get(WecomClient);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.stop();
  });
  beforeEach(() => sim.client.reset());

  describe('access tokens', () => {
    it('are fetched once and shared by concurrent callers in two processes', async () => {
      const other = await boot();
      try {
        const c = creds();
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? other.get(WecomClient) : client).listGroupChats(c, { limit: 10 }),
          ),
        );
        expect(results.every((r) => r.ok)).toBe(true);
        expect(await calls('gettoken')).toBe(1);
        expect(await calls('externalcontact/groupchat/list')).toBe(20);
        // Later calls keep using the cached token.
        expect((await other.get(WecomClient).listGroupChats(c)).ok).toBe(true);
        expect(await calls('gettoken')).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('are refreshed when the server says 42001 (expired), and the call is retried once', async () => {
      const c = creds();
      expect((await client.listGroupChats(c)).ok).toBe(true);
      await sim.client.advanceClock(7_201_000); // past the sim's 7200 s token lifetime; our cache still holds it
      const res = await client.listGroupChats(c);
      expect(res.ok).toBe(true);
      const s = await stats();
      expect(s.apis.gettoken.calls).toBe(2);
      expect(s.apis['externalcontact/groupchat/list'].errors).toEqual({ '42001': 1 });
    });

    it('are refreshed on 40014 (a token the server no longer knows)', async () => {
      const c = creds();
      expect((await client.listGroupChats(c)).ok).toBe(true);
      await sim.client.reset(); // forgets every issued token
      expect((await client.listGroupChats(c)).ok).toBe(true);
      const s = await stats();
      expect(s.apis.gettoken.calls).toBe(1);
      expect(s.apis['externalcontact/groupchat/list'].errors).toEqual({ '40014': 1 });
    });

    it('a wrong secret is a permanent failure, not a retry', async () => {
      await sim.client.config({ corpSecrets: { wwKnown: 'right' } });
      const res = await client.listGroupChats({ corpId: 'wwKnown', secret: 'wrong' });
      expect(res).toMatchObject({ ok: false, failure: { class: 'permanent', errcode: 40001 } });
    });
  });

  describe('add_msg_template limits are enforced before the call', () => {
    const text = 'hello';
    it.each([
      [
        '2001 chats',
        { chatType: 'group', sender: 'u1', chatIds: Array.from({ length: 2001 }, (_, i) => `wr${i}`) },
        'chatIds',
      ],
      ['a group without sender', { chatType: 'group', chatIds: ['wr1'] }, 'sender'],
      [
        '10001 customers',
        { chatType: 'single', externalUserIds: Array.from({ length: 10_001 }, (_, i) => `wm${i}`) },
        'externalUserIds',
      ],
      [
        '4001 bytes of text',
        { chatType: 'single', externalUserIds: ['wm1'], message: { text: '字'.repeat(1334) } },
        'message.text',
      ],
      [
        '10 attachments',
        {
          chatType: 'single',
          externalUserIds: ['wm1'],
          message: {
            attachments: Array.from({ length: 10 }, () => ({ msgtype: 'image', image: { media_id: 'm' } })),
          },
        },
        'message.attachments',
      ],
      [
        'a video attachment',
        { chatType: 'single', externalUserIds: ['wm1'], message: { attachments: [{ msgtype: 'video' }] } },
        'message.attachments[0].msgtype',
      ],
    ])('%s', async (_name, req, field) => {
      const err = await client
        .addMsgTemplate(creds(), { message: { text }, ...(req as object) } as never)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelException);
      expect((err as ChannelException).status).toBe(422);
      expect((err as ChannelException).errors?.map((e) => e.field)).toContain(field);
      expect(await calls('externalcontact/add_msg_template')).toBe(0);
      expect(await calls('gettoken')).toBe(0);
    });

    it('exactly 2000 chats and 4000 bytes with 9 attachments pass', async () => {
      const res = await client.addMsgTemplate(creds(), {
        chatType: 'group',
        sender: 'owner1',
        chatIds: Array.from({ length: 2000 }, (_, i) => `wr${i}`),
        message: {
          text: 'a'.repeat(4000),
          attachments: [
            ...Array.from({ length: 7 }, () => ({ msgtype: 'image' as const, image: { media_id: 'MEDIA' } })),
            { msgtype: 'link', link: { title: 'Spring sale', url: 'https://shop.example.com/r/abc' } },
            {
              msgtype: 'miniprogram',
              miniprogram: { title: 'Shop', pic_media_id: 'P', appid: 'wxapp', page: 'pages/index' },
            },
          ],
        },
      });
      expect(res.ok && res.value.msgid).toBeTruthy();
    });
  });

  describe('group and 1:1 broadcasts through the adapters', () => {
    it('a group broadcast: task, then per-chat results once the staff member confirms', async () => {
      const { brandId } = await brandWithCorp();
      await sim.client.config({ confirmMode: 'manual', dedupeKeyPath: 'client_msg_id' });
      const adapter = app.get(ChannelAdapters).get('wecom_group');
      const submitted = await adapter.submit({
        brandId,
        sender: 'owner1',
        idempotencyKey: 'c1-v1',
        message: { text: '新品上架' },
        recipients: [
          { ref: 'd1', address: 'wrA' },
          { ref: 'd2', address: 'wrB' },
        ],
      });
      if (submitted.kind !== 'task') throw new Error(`expected a task, got ${JSON.stringify(submitted)}`);
      expect(submitted.outcomes.map((o) => [o.ref, o.status])).toEqual([
        ['d1', 'pending'],
        ['d2', 'pending'],
      ]);
      const before = await adapter.collect(submitted.taskRef);
      expect(before).toMatchObject({ kind: 'collected', complete: false });
      await sim.client.post('/_sim/groupmsg/confirm', { msgid: submitted.taskRef.msgid });
      const after = await adapter.collect(submitted.taskRef);
      expect(after).toMatchObject({ kind: 'collected', complete: true });
      if (after.kind !== 'collected') throw new Error('not collected');
      expect(after.outcomes.map((o) => [o.address, o.status])).toEqual([
        ['wrA', 'sent'],
        ['wrB', 'sent'],
      ]);
      // The idempotency key is what the simulator recorded for each chat.
      expect((await sim.client.messages('wrA')).keys).toEqual({ 'c1-v1': 1 });
    });

    it('a 1:1 broadcast maps statuses 1, 2 and 3 and the fail_list', async () => {
      const { brandId } = await brandWithCorp();
      await sim.client.config({ notFriends: ['wmNF'], invalidExternalUserIds: ['wmBAD'], customerLimit: 1 });
      const adapter = app.get(ChannelAdapters).get('wecom_single');
      // wmLIM already got today's one broadcast.
      const first = await adapter.submit({
        brandId,
        idempotencyKey: 'c0',
        message: { text: 'earlier' },
        recipients: [{ ref: 'x', address: 'wmLIM' }],
      });
      expect(first.kind).toBe('task');
      const res = await adapter.submit({
        brandId,
        idempotencyKey: 'c2',
        message: {
          text: 'hi',
          attachments: [{ msgtype: 'link', link: { title: 't', url: 'https://x.example/r/1' } }],
        },
        recipients: ['wmOK', 'wmNF', 'wmLIM', 'wmBAD'].map((a, i) => ({ ref: `r${i}`, address: a })),
      });
      if (res.kind !== 'task') throw new Error(JSON.stringify(res));
      expect(res.outcomes.find((o) => o.address === 'wmBAD')).toMatchObject({
        status: 'rejected',
        reason: 'invalid_recipient',
        ref: 'r3',
      });
      const collected = await adapter.collect(res.taskRef);
      if (collected.kind !== 'collected') throw new Error(JSON.stringify(collected));
      const by = Object.fromEntries(collected.outcomes.map((o) => [o.address, [o.status, o.reason]]));
      expect(by).toEqual({
        wmOK: ['sent', undefined],
        wmNF: ['rejected', 'not_friend'],
        wmLIM: ['rejected', 'limit_reached'],
      });
      expect(collected.complete).toBe(true);
    });

    it('results polled while the task is being created answer not_ready (41063) with a growing backoff', async () => {
      const { brandId } = await brandWithCorp();
      await sim.client.config({ taskCreateDelayMs: 60_000 });
      const adapter = app.get(ChannelAdapters).get('wecom_single');
      const res = await adapter.submit({
        brandId,
        sender: 'staff1',
        idempotencyKey: 'c3',
        message: { text: 'x' },
        recipients: [{ ref: 'r', address: 'wm1' }],
      });
      if (res.kind !== 'task') throw new Error(JSON.stringify(res));
      const early = await adapter.collect(res.taskRef, 0);
      expect(early.kind).toBe('not_ready');
      const later = await adapter.collect(res.taskRef, 5);
      expect(later.kind).toBe('not_ready');
      expect((later as { retryAfterMs: number }).retryAfterMs).toBeGreaterThanOrEqual(16_000);
      expect((await stats()).apis['externalcontact/get_groupmsg_send_result'].errors).toEqual({ '41063': 2 });
      await sim.client.advanceClock(61_000);
      expect(await adapter.collect(res.taskRef, 6)).toMatchObject({
        kind: 'collected',
        complete: true,
        outcomes: [{ address: 'wm1', status: 'sent' }],
      });
    });

    it('pages through results larger than one page', async () => {
      const { brandId } = await brandWithCorp();
      const adapter = app.get(ChannelAdapters).get('wecom_single');
      const recipients = Array.from({ length: 2500 }, (_, i) => ({ ref: `r${i}`, address: `wm${i}` }));
      const res = await adapter.submit({
        brandId,
        idempotencyKey: 'big',
        message: { text: 'x' },
        recipients,
      });
      if (res.kind !== 'task') throw new Error(JSON.stringify(res));
      const collected = await adapter.collect(res.taskRef);
      if (collected.kind !== 'collected') throw new Error(JSON.stringify(collected));
      expect(collected.outcomes).toHaveLength(2500);
      expect(new Set(collected.outcomes.map((o) => o.address)).size).toBe(2500);
      expect(await calls('externalcontact/get_groupmsg_send_result')).toBe(3);
    });

    it('remind and cancel reach the task', async () => {
      const { brandId } = await brandWithCorp();
      await sim.client.config({ confirmMode: 'manual' });
      const adapter = app.get(ChannelAdapters).get('wecom_group');
      const res = await adapter.submit({
        brandId,
        sender: 'owner1',
        idempotencyKey: 'c4',
        message: { text: 'x' },
        recipients: [{ ref: 'r', address: 'wrX' }],
      });
      if (res.kind !== 'task') throw new Error(JSON.stringify(res));
      expect(await adapter.remind(res.taskRef)).toEqual({ ok: true });
      expect(await adapter.cancel(res.taskRef)).toEqual({ ok: true });
      const task = await sim.client.get<{ cancelled: boolean; remind_count: number }>(
        `/_sim/groupmsg?msgid=${res.taskRef.msgid}`,
      );
      expect(task).toMatchObject({ cancelled: true, remind_count: 1 });
    });
  });

  describe('error classes from sim faults', () => {
    const submit = async (brandId: string) =>
      app
        .get(ChannelAdapters)
        .get('wecom_single')
        .submit({
          brandId,
          idempotencyKey: `k${uniq()}`,
          message: { text: 'x' },
          recipients: [{ ref: 'r', address: 'wm1' }],
        });

    it.each([
      [-1, 'retryable'],
      [45033, 'retryable'],
      [60011, 'permanent'],
      [40003, 'permanent'],
      [84061, 'permanent'],
    ])('errcode %i is %s, with the code and message kept', async (errcode, cls) => {
      const { brandId } = await brandWithCorp();
      await sim.client.faults([{ path: 'add_msg_template', errcode, errmsg: `reason ${errcode}` }]);
      expect(await submit(brandId)).toEqual({
        kind: 'failed',
        failure: {
          class: cls,
          errcode,
          errmsg: `reason ${errcode}`,
          api: 'externalcontact/add_msg_template',
        },
      });
    });

    it('45009 is rate_limited until the window ends, and every process then holds back', async () => {
      const { brandId, corpId } = await brandWithCorp();
      await sim.client.faults([{ path: 'add_msg_template', rateLimit: { perSecond: 0 } }]);
      const before = Date.now();
      const res = await submit(brandId);
      expect(res).toMatchObject({ kind: 'failed', failure: { class: 'rate_limited', errcode: 45009 } });
      const retryAt = (res as { failure: { retryAt: Date } }).failure.retryAt;
      expect(retryAt.getTime()).toBeGreaterThanOrEqual(before + 60_000);
      expect(await app.get(ChannelRateLimiter).blockedUntil(WecomClient.accountKey(corpId))).not.toBeNull();
      const sent = await calls('externalcontact/add_msg_template');
      // A second process asks the shared limiter first and does not call at all.
      const other = await boot();
      try {
        const again = await other
          .get(ChannelAdapters)
          .get('wecom_single')
          .submit({
            brandId,
            idempotencyKey: 'k2',
            message: { text: 'x' },
            recipients: [{ ref: 'r', address: 'wm1' }],
          });
        expect(again).toMatchObject({ kind: 'failed', failure: { class: 'rate_limited', local: true } });
      } finally {
        await other.close();
      }
      expect(await calls('externalcontact/add_msg_template')).toBe(sent);
    });

    it('a connection reset after sending is retryable and marked ambiguous', async () => {
      const { brandId } = await brandWithCorp();
      await submit(brandId); // token cached
      await sim.client.faults([{ path: 'add_msg_template', outage: { durationMs: 60_000, mode: 'refuse' } }]);
      expect(await submit(brandId)).toMatchObject({
        kind: 'failed',
        failure: { class: 'retryable', errcode: null, ambiguous: true },
      });
    });

    it('a brand without a corp gets a permanent failure, not an exception', async () => {
      const brand = await createBrand(app);
      expect(await submit(brand.id)).toMatchObject({
        kind: 'failed',
        failure: { class: 'permanent', errcode: null },
      });
    });
  });

  describe('group chats and welcome messages (for the communities sync)', () => {
    it('lists group chats page by page and reads one', async () => {
      await sim.client.post('/_sim/groupchats', {
        group_chats: Array.from({ length: 5 }, (_, i) => ({
          chat_id: `wrG${i}`,
          name: `Group ${i}`,
          owner: 'owner1',
          member_list: [{ userid: `wmM${i}`, type: 2, join_scene: 3 }],
        })),
      });
      const c = creds();
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listGroupChats(c, { limit: 2, cursor });
        if (!page.ok) throw new Error(JSON.stringify(page.failure));
        ids.push(...page.value.items.map((g) => g.chatId));
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor);
      expect(ids).toEqual(['wrG0', 'wrG1', 'wrG2', 'wrG3', 'wrG4']);
      const one = await client.getGroupChat(c, 'wrG3');
      expect(one).toMatchObject({
        ok: true,
        value: { chat_id: 'wrG3', owner: 'owner1', member_list: [{ userid: 'wmM3' }] },
      });
    });

    it('sends a welcome message for a WelcomeCode once; a used code is permanent', async () => {
      const { welcome_code } = await sim.client.post<{ welcome_code: string }>('/_sim/welcome-codes', {
        external_userid: 'wmNew',
        userid: 'staff1',
      });
      const c = creds();
      expect(await client.sendWelcomeMsg(c, welcome_code, { text: '欢迎' })).toEqual({
        ok: true,
        value: undefined,
      });
      expect(await client.sendWelcomeMsg(c, welcome_code, { text: '欢迎' })).toMatchObject({
        ok: false,
        failure: { class: 'permanent', errcode: 41051 },
      });
      expect((await sim.client.messages('wmNew')).total).toBe(1);
    });
  });
});
