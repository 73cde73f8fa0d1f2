import { RunningSim, startSim } from '../sim-app';
import { SimClient } from '../testing/sim-client';

const template = (touser: string, deliveryId: string) => ({
  touser,
  template_id: 'TPL_spring_sale',
  url: `https://shop.example.com/r/${deliveryId}`,
  data: { first: { value: '会员日' }, keyword1: { value: '8 折' } },
});

describe('wecom-sim Official Account and app messages over HTTP', () => {
  let sim: RunningSim;
  let client: SimClient;
  let token: string;

  beforeAll(async () => {
    sim = await startSim({ port: 0 });
    client = new SimClient(sim.url);
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await client.reset();
    token = await client.oaToken();
  });

  it('records template sends per recipient, in order, with their payloads', async () => {
    const a = await client.cgi('message/template/send', token, template('oU1', 'd1'));
    const b = await client.cgi('message/template/send', token, template('oU1', 'd2'));
    expect(a).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    const seen = await client.messages('oU1');
    expect(seen.total).toBe(2);
    expect(seen.messages.map((m) => m.msgid)).toEqual([a.msgid, b.msgid]);
    expect(seen.messages[1].payload).toMatchObject({ url: 'https://shop.example.com/r/d2' });
    expect((await client.messages('oU2')).total).toBe(0);
  });

  it('honours client_msg_id as WeChat documents: the same (touser, key) within 10 min sends once', async () => {
    const keyed = (touser: string, key: string) => ({ ...template(touser, 'd1'), client_msg_id: key });
    const first = await client.cgi('message/template/send', token, keyed('oU1', 'cd-1'));
    const again = await client.cgi('message/template/send', token, keyed('oU1', 'cd-1'));
    const otherUser = await client.cgi('message/template/send', token, keyed('oU2', 'cd-1'));
    const otherKey = await client.cgi('message/template/send', token, keyed('oU1', 'cd-2'));
    expect(again).toEqual({ errcode: 0, errmsg: 'ok', msgid: first.msgid });
    expect(new Set([first.msgid, otherUser.msgid, otherKey.msgid]).size).toBe(3);
    expect((await client.messages('oU1')).total).toBe(2);
    const stats = await client.stats();
    expect(stats.oaReplayed).toBe(1);
    expect(stats.messages.total).toBe(3);
  });

  it('records a repeated send without client_msg_id as a duplicate', async () => {
    await Promise.all(
      ['oU1', 'oU2', 'oU3'].map((o) => client.cgi('message/template/send', token, template(o, `d-${o}`))),
    );
    expect((await client.stats()).duplicates).toMatchObject({ recipients: 0, extraDeliveries: 0 });
    await client.cgi('message/template/send', token, template('oU2', 'd-oU2'));
    await client.cgi('message/template/send', token, template('oU2', 'd-oU2'));
    const stats = await client.stats();
    expect(stats.duplicates).toMatchObject({
      recipients: 1,
      pairs: 1,
      extraDeliveries: 2,
      keyedBy: 'content-hash',
    });
    expect(stats.messages).toMatchObject({ total: 5, recipients: 3, byApi: { 'message/template/send': 5 } });
    expect(stats.apis['message/template/send']).toEqual({ calls: 5, ok: 5, errors: {} });
  });

  it('counts duplicates by a body path the test chooses', async () => {
    await client.config({ dedupeKeyPath: 'url' });
    await client.cgi('message/template/send', token, template('oU1', 'd1'));
    await client.cgi('message/template/send', token, {
      ...template('oU1', 'd1'),
      data: { first: { value: 'retry with new text' } },
    });
    expect((await client.stats()).duplicates).toMatchObject({ recipients: 1, keyedBy: 'url' });
    expect((await client.messages('oU1')).keys).toEqual({ 'https://shop.example.com/r/d1': 2 });
  });

  it('records every one of many concurrent sends exactly once', async () => {
    const replies = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        client.cgi('message/template/send', token, template(`o${i % 200}`, `d${i}`)),
      ),
    );
    expect(new Set(replies.map((r) => r.msgid)).size).toBe(400);
    const stats = await client.stats();
    expect(stats.messages).toMatchObject({ total: 400, recipients: 200 });
    expect(stats.duplicates.recipients).toBe(0);
  });

  it('validates template sends and answers OA error codes', async () => {
    expect(await client.cgi('message/template/send', token, { template_id: 't', data: {} })).toMatchObject({
      errcode: 40003,
    });
    expect(await client.cgi('message/template/send', token, { touser: 'oU1', data: {} })).toMatchObject({
      errcode: 40037,
    });
    expect(
      await client.cgi('message/template/send', token, { touser: 'oU1', template_id: 't' }),
    ).toMatchObject({ errcode: 40058 });
    await client.config({ blockedOpenids: ['oBlocked'] });
    expect(await client.cgi('message/template/send', token, template('oBlocked', 'd'))).toMatchObject({
      errcode: 43004,
    });
    expect(await client.cgi('message/template/send', 'bogus', template('oU1', 'd'))).toMatchObject({
      errcode: 40001,
    });
    const wecom = await client.wecomToken();
    expect(await client.cgi('message/template/send', wecom, template('oU1', 'd'))).toMatchObject({
      errcode: 40001,
    });
    expect(await client.get('/cgi-bin/token?grant_type=password&appid=a&secret=b')).toMatchObject({
      errcode: 40002,
    });
  });

  it('sends subscribe messages and hands out a stable token', async () => {
    const reply = await client.cgi('message/subscribe/send', token, {
      touser: 'oU1',
      template_id: 'sub1',
      data: { thing1: { value: 'x' } },
    });
    expect(reply).toMatchObject({ errcode: 0 });
    expect((await client.messages('oU1')).messages[0].api).toBe('message/subscribe/send');
    const body = { grant_type: 'client_credential', appid: 'wx1', secret: 's' };
    const s1 = await client.post<{ access_token: string }>('/cgi-bin/stable_token', body);
    const s2 = await client.post<{ access_token: string }>('/cgi-bin/stable_token', body);
    const s3 = await client.post<{ access_token: string }>('/cgi-bin/stable_token', {
      ...body,
      force_refresh: true,
    });
    expect(s2.access_token).toBe(s1.access_token);
    expect(s3.access_token).not.toBe(s1.access_token);
  });

  it('sends app messages to staff, recording each touser', async () => {
    const wecom = await client.wecomToken();
    const alert = {
      touser: 'ops1|ops2',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'queue backlog' },
    };
    expect(await client.cgi('message/send', wecom, alert)).toMatchObject({
      errcode: 0,
      invaliduser: '',
      msgid: expect.any(String),
    });
    expect((await client.messages('ops2')).messages[0]).toMatchObject({
      api: 'message/send',
      payload: { text: { content: 'queue backlog' } },
    });
    expect(await client.cgi('message/send', wecom, { ...alert, agentid: undefined })).toMatchObject({
      errcode: 40058,
    });
  });
});
