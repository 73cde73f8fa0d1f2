import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Actor, PlatformModule } from '@siyu/platform';
import { createBrand } from '../../../../test/factories/brand.factory';
import { withConfig } from '../../../../test/support/config';
import { SimProcess, startSimProcess } from '../../../../test/support/wecom-sim';
import { ChannelAccountsService } from '../accounts/channel-accounts.service';
import { ChannelBatch } from '../adapters/channel-adapter';
import { ChannelAdapters } from '../adapters/channel-adapters';
import { ChannelsModule } from '../channels.module';
import { OaClient, OaMessage } from './oa-client';

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 12);

describe('Official Account template and subscribe messages against a real wecom-sim process (int)', () => {
  let sim: SimProcess;
  let app: INestApplicationContext;

  const template: OaMessage = {
    kind: 'template',
    templateId: 'TPL_spring',
    url: 'https://shop.example.com/r/abc',
    data: { first: { value: '会员日' }, keyword1: { value: '8 折' } },
  };
  const subscribe: OaMessage = {
    kind: 'subscribe',
    templateId: 'SUB_live',
    data: { thing1: { value: '直播开始' } },
  };

  async function brandWithApp(
    sendsPerSecond?: number,
  ): Promise<{ brandId: string; accountId: string; appId: string }> {
    const brand = await createBrand(app);
    const actor: Actor = {
      brandId: brand.id,
      actorType: 'operator',
      actorId: brand.owner.id,
      requestId: null,
    };
    const appId = `wx${uniq()}`;
    const created = await app.get(ChannelAccountsService).createOaApp(actor, {
      name: 'Service account',
      appId,
      secret: `s${uniq()}`,
      templateIds: ['TPL_spring'],
      sendsPerSecond,
    });
    return { brandId: brand.id, accountId: created.id, appId };
  }

  const batch = (
    b: { brandId: string; accountId: string },
    openids: string[],
    message: OaMessage = template,
  ): ChannelBatch => ({
    brandId: b.brandId,
    accountId: b.accountId,
    idempotencyKey: 'camp1',
    message: { oa: message },
    recipients: openids.map((o, i) => ({ ref: `d${i}`, address: o })),
  });

  beforeAll(async () => {
    sim = await startSimProcess();
    const builder = Test.createTestingModule({ imports: [PlatformModule, ChannelsModule] });
    app = await (
      await withConfig(builder, { WECOM_BASE_URL: sim.url, WECHAT_BASE_URL: sim.url }).compile()
    ).init();
  });
  afterAll(async () => {
    await app?.close();
    await sim?.stop();
  });
  beforeEach(() => sim.client.reset());

  it('template: one call per recipient, each outcome reported, the idempotency key sent as client_msg_id', async () => {
    const b = await brandWithApp();
    await sim.client.config({ blockedOpenids: ['oBlocked'], dedupeKeyPath: 'client_msg_id' });
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch(b, ['oA', 'oBlocked', 'oC']));
    if (res.kind !== 'done') throw new Error(JSON.stringify(res));
    expect(res.outcomes.map((o) => [o.ref, o.status, o.reason ?? null])).toEqual([
      ['d0', 'sent', null],
      ['d1', 'rejected', 'not_subscribed'],
      ['d2', 'sent', null],
    ]);
    expect(res.outcomes[1]).toMatchObject({ errcode: 43004 });
    expect(res.outcomes[0].providerMessageId).toMatch(/^\d+$/);
    const seen = await sim.client.messages('oA');
    expect(seen.keys).toEqual({ 'camp1-d0': 1 });
    expect(seen.messages[0].payload).toMatchObject({
      template_id: 'TPL_spring',
      touser: 'oA',
      client_msg_id: 'camp1-d0',
    });
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);
  });

  it('subscribe: a refusal (43101) rejects that recipient only', async () => {
    const b = await brandWithApp();
    await sim.client.config({ blockedOpenids: ['oNo'] });
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch(b, ['oYes', 'oNo'], subscribe));
    if (res.kind !== 'done') throw new Error(JSON.stringify(res));
    expect(res.outcomes.map((o) => [o.status, o.reason ?? null, o.errcode ?? null])).toEqual([
      ['sent', null, null],
      ['rejected', 'user_refused', 43101],
    ]);
    expect((await sim.client.messages('oYes')).messages[0].api).toBe('message/subscribe/send');
  });

  it('per-recipient messages carry their own rendered data', async () => {
    const b = await brandWithApp();
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit({
        ...batch(b, []),
        recipients: ['o1', 'o2'].map((o) => ({
          ref: o,
          address: o,
          message: { oa: { ...template, data: { first: { value: `Hi ${o}` } } } as OaMessage },
        })),
      });
    expect(res.kind).toBe('done');
    expect((await sim.client.messages('o2')).messages[0].payload).toMatchObject({
      data: { first: { value: 'Hi o2' } },
    });
  });

  it('-1 leaves each recipient to retry; a bad template rejects the rest without calling', async () => {
    const b = await brandWithApp();
    await sim.client.faults([{ path: 'message/template/send', errcode: -1 }]);
    const busy = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch(b, ['o1', 'o2']));
    expect(busy).toMatchObject({
      kind: 'done',
      outcomes: [
        { status: 'retry', reason: 'transient', errcode: -1 },
        { status: 'retry', reason: 'transient', errcode: -1 },
      ],
    });
    await sim.client.clearFaults();
    await sim.client.faults([{ path: 'message/template/send', errcode: 40037 }]);
    const recipients = Array.from({ length: 40 }, (_, i) => `o${i}`);
    const bad = await app.get(ChannelAdapters).get('oa').submit(batch(b, recipients));
    if (bad.kind !== 'done') throw new Error(JSON.stringify(bad));
    expect(bad.outcomes.every((o) => o.status === 'rejected' && o.errcode === 40037)).toBe(true);
    // The batch stopped at the first answer: at most one wave of concurrent sends was made.
    expect((await sim.client.stats()).apis['message/template/send'].calls).toBeLessThan(40);
  });

  it('45009 stops the batch: the rest retry at the end of the window and other callers hold back', async () => {
    const b = await brandWithApp();
    await sim.client.faults([{ path: 'message/template/send', rateLimit: { perSecond: 0 } }]);
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(
        batch(
          b,
          Array.from({ length: 40 }, (_, i) => `o${i}`),
        ),
      );
    if (res.kind !== 'done') throw new Error(JSON.stringify(res));
    expect(res.outcomes.every((o) => o.status === 'retry' && o.retryAt instanceof Date)).toBe(true);
    const calls = (await sim.client.stats()).apis['message/template/send'].calls;
    expect(calls).toBeLessThan(40);
    const again = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch(b, ['oLate']));
    expect(again).toMatchObject({ kind: 'done', outcomes: [{ status: 'retry' }] });
    expect((await sim.client.stats()).apis['message/template/send'].calls).toBe(calls);
  });

  it("the app's own per-second budget is taken before sending", async () => {
    const b = await brandWithApp(3);
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch(b, ['o1', 'o2', 'o3', 'o4', 'o5']));
    if (res.kind !== 'done') throw new Error(JSON.stringify(res));
    const sent = res.outcomes.filter((o) => o.status === 'sent').length;
    expect(sent).toBe(3);
    expect(res.outcomes.filter((o) => o.status === 'retry')).toHaveLength(2);
    expect((await sim.client.stats()).messages.total).toBe(3);
  });

  it('refreshes the token on 40001 (the OA answer to a token it no longer knows)', async () => {
    const creds = { appId: `wx${uniq()}`, secret: 's' };
    const client = app.get(OaClient);
    expect((await client.send(creds, 'o1', template)).ok).toBe(true);
    await sim.client.reset();
    expect((await client.send(creds, 'o1', template)).ok).toBe(true);
    const s = await sim.client.stats();
    expect(s.apis['message/template/send'].errors).toEqual({ '40001': 1 });
    expect(s.apis.token.calls).toBe(1);
  });

  it("another brand cannot send through this brand's app", async () => {
    const b = await brandWithApp();
    const other = await createBrand(app);
    const res = await app
      .get(ChannelAdapters)
      .get('oa')
      .submit(batch({ brandId: other.id, accountId: b.accountId }, ['o1']));
    expect(res).toMatchObject({ kind: 'failed', failure: { class: 'permanent' } });
    expect((await sim.client.stats()).messages.total).toBe(0);
  });
});
