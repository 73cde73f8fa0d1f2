import { RunningSim, startSim } from '../sim-app';
import { SimClient } from '../testing/sim-client';

const text = { text: { content: '春季会员日：全场 8 折' } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wecom-sim over HTTP: tokens, group sends, group chats, contact ways', () => {
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
    token = await client.wecomToken();
  });

  const statuses = async (msgid: string, userid = 'sim-staff') => {
    const r = await client.cgi<{
      errcode: number;
      errmsg: string;
      detail_list: Array<Record<string, string | number>>;
    }>('externalcontact/get_groupmsg_send_result', token, { msgid, userid, limit: 1000 });
    expect(r.errcode).toBe(0);
    return Object.fromEntries(r.detail_list.map((d) => [d.external_userid ?? d.chat_id, d.status]));
  };

  describe('access tokens', () => {
    it('answers 42001 once a token has expired, and the new token works', async () => {
      await client.config({ tokenTtlSeconds: 1 });
      const short = await client.wecomToken();
      const body = { external_userid: ['wm1'], ...text };
      expect((await client.cgi('externalcontact/add_msg_template', short, body)).errcode).toBe(0);
      await sleep(1100);
      expect(await client.cgi('externalcontact/add_msg_template', short, body)).toMatchObject({
        errcode: 42001,
      });
      expect(
        (await client.cgi('externalcontact/add_msg_template', await client.wecomToken(), body)).errcode,
      ).toBe(0);
    });

    it('expires a token when the simulator clock moves past its TTL', async () => {
      const reply = await client.get<{ expires_in: number }>('/cgi-bin/gettoken?corpid=ww1&corpsecret=s');
      expect(reply.expires_in).toBe(7200);
      await client.advanceClock(7200 * 1000);
      expect(await client.cgi('externalcontact/groupchat/list', token, { limit: 10 })).toMatchObject({
        errcode: 42001,
      });
    });

    it('answers 40014 for an unknown token, 41001 for none, and checks configured secrets', async () => {
      expect(await client.cgi('externalcontact/groupchat/list', 'nope', { limit: 10 })).toMatchObject({
        errcode: 40014,
      });
      expect(await client.post('/cgi-bin/externalcontact/groupchat/list', { limit: 10 })).toMatchObject({
        errcode: 41001,
      });
      await client.config({ corpSecrets: { ww1: 'right' } });
      expect(await client.get('/cgi-bin/gettoken?corpid=ww1&corpsecret=wrong')).toMatchObject({
        errcode: 40001,
      });
      expect(await client.get('/cgi-bin/gettoken?corpid=ww2&corpsecret=right')).toMatchObject({
        errcode: 40013,
      });
      expect(await client.get('/cgi-bin/gettoken?corpid=ww1')).toMatchObject({ errcode: 41004 });
      expect(await client.get('/cgi-bin/gettoken?corpid=ww1&corpsecret=right')).toMatchObject({ errcode: 0 });
    });

    it('answers 47001 to a body that is not JSON', async () => {
      const res = await client.request(
        'POST',
        `/cgi-bin/externalcontact/add_msg_template?access_token=${token}`,
        '{"x":',
      );
      expect(res).toEqual({ status: 200, body: { errcode: 47001, errmsg: expect.any(String) } });
    });
  });

  describe('add_msg_template', () => {
    it('sends 1:1 to customers and records each recipient', async () => {
      const reply = await client.cgi('externalcontact/add_msg_template', token, {
        chat_type: 'single',
        external_userid: ['wm1', 'wm2', 'wm1'],
        sender: 'zhangsan',
        ...text,
        attachments: [{ msgtype: 'link', link: { title: '会员日', url: 'https://shop.example.com/r/abc' } }],
      });
      expect(reply).toEqual({ errcode: 0, errmsg: 'ok', fail_list: [], msgid: expect.any(String) });
      const msgid = reply.msgid as string;
      expect(await statuses(msgid, 'zhangsan')).toEqual({ wm1: 1, wm2: 1 });
      const seen = await client.messages('wm1');
      expect(seen.total).toBe(1);
      expect(seen.messages[0]).toMatchObject({ api: 'externalcontact/add_msg_template', msgid, status: 1 });
      expect(seen.messages[0].payload).toMatchObject({ text: text.text });
      const task = await client.cgi('externalcontact/get_groupmsg_task', token, { msgid });
      expect(task).toMatchObject({
        errcode: 0,
        task_list: [{ userid: 'zhangsan', status: 2, send_time: expect.any(Number) }],
      });
    });

    it('sends to customer groups for a sender, with per-group results', async () => {
      await client.post('/_sim/groupchats', {
        group_chats: [
          { chat_id: 'wrA', owner: 'zhangsan', name: 'VIP 1' },
          { chat_id: 'wrB', owner: 'zhangsan', name: 'VIP 2' },
          { chat_id: 'wrC', owner: 'lisi' },
        ],
      });
      const reply = await client.cgi('externalcontact/add_msg_template', token, {
        chat_type: 'group',
        sender: 'zhangsan',
        ...text,
      });
      expect(reply.errcode).toBe(0);
      expect(await statuses(reply.msgid as string, 'zhangsan')).toEqual({ wrA: 1, wrB: 1 });
      expect(
        await client.cgi('externalcontact/add_msg_template', token, { chat_type: 'group', ...text }),
      ).toMatchObject({
        errcode: 40058,
      });
    });

    it('keeps statuses at 0 until the staff member confirms after the configured delay, then 1', async () => {
      await client.config({ confirmMode: 'delay', confirmDelayMs: 400 });
      const { msgid } = await client.cgi('externalcontact/add_msg_template', token, {
        external_userid: ['wm1', 'wm2'],
        ...text,
      });
      expect(await statuses(msgid as string)).toEqual({ wm1: 0, wm2: 0 });
      expect((await client.cgi('externalcontact/get_groupmsg_task', token, { msgid })).task_list).toEqual([
        { userid: 'sim-staff', status: 0 },
      ]);
      await sleep(600);
      expect(await statuses(msgid as string)).toEqual({ wm1: 1, wm2: 1 });
    });

    it('answers 41063 before confirmation when configured, and /_sim/groupmsg/confirm confirms', async () => {
      await client.config({ confirmMode: 'manual', notReadyBeforeConfirm: true });
      const { msgid } = await client.cgi('externalcontact/add_msg_template', token, {
        external_userid: ['wm1'],
        ...text,
      });
      const early = await client.cgi('externalcontact/get_groupmsg_send_result', token, {
        msgid,
        userid: 'sim-staff',
      });
      expect(early.errcode).toBe(41063);
      expect(await client.post('/_sim/groupmsg/confirm', { msgid })).toEqual({ confirmed: [msgid] });
      expect(await statuses(msgid as string)).toEqual({ wm1: 1 });
    });

    it('gives status 3 past the per-customer limit and 2 to a customer who is not a friend', async () => {
      await client.config({ customerLimit: 2, notFriends: ['wm-stranger'] });
      const send = async () =>
        (
          await client.cgi('externalcontact/add_msg_template', token, {
            external_userid: ['wm1', 'wm-stranger'],
            ...text,
          })
        ).msgid as string;
      const ids = [await send(), await send(), await send()];
      expect(await statuses(ids[0])).toEqual({ wm1: 1, 'wm-stranger': 2 });
      expect(await statuses(ids[2])).toEqual({ wm1: 3, 'wm-stranger': 2 });
      const stats = await client.stats();
      expect(stats.groupmsg.statuses).toEqual({ '0': 0, '1': 2, '2': 3, '3': 1 });
      await client.advanceClock(24 * 3_600_000); // the next natural day; the token has expired too
      token = await client.wecomToken();
      expect(await statuses(await send())).toEqual({ wm1: 1, 'wm-stranger': 2 });
    });

    it('remind and cancel work on a pending task', async () => {
      await client.config({ confirmMode: 'manual' });
      const { msgid } = await client.cgi('externalcontact/add_msg_template', token, {
        external_userid: ['wm1'],
        ...text,
      });
      expect(await client.cgi('externalcontact/remind_groupmsg_send', token, { msgid })).toMatchObject({
        errcode: 0,
      });
      expect(await client.cgi('externalcontact/cancel_groupmsg_send', token, { msgid })).toMatchObject({
        errcode: 0,
      });
      expect(await client.post('/_sim/groupmsg/confirm', {})).toEqual({ confirmed: [] });
      expect(await client.get(`/_sim/groupmsg?msgid=${msgid}`)).toMatchObject({
        cancelled: true,
        remind_count: 1,
        statuses: { 0: 1 },
      });
    });
  });

  describe('group chats', () => {
    it('lists with cursor pagination and filters, and gets one chat', async () => {
      const group_chats = Array.from({ length: 5 }, (_, i) => ({
        chat_id: `wr${i}`,
        owner: i % 2 ? 'lisi' : 'zhangsan',
        status: i === 4 ? 1 : 0,
        member_list: [
          { userid: 'wm1', type: 2, join_time: 1700000000, join_scene: 3, name: '小王', unionid: 'ou1' },
        ],
      }));
      await client.post('/_sim/groupchats', { group_chats });
      const p1 = await client.cgi('externalcontact/groupchat/list', token, { limit: 2 });
      expect(p1).toMatchObject({
        errcode: 0,
        group_chat_list: [{ chat_id: 'wr0' }, { chat_id: 'wr1' }],
        next_cursor: '2',
      });
      const p3 = await client.cgi('externalcontact/groupchat/list', token, { limit: 2, cursor: '4' });
      expect(p3).toMatchObject({ group_chat_list: [{ chat_id: 'wr4', status: 1 }], next_cursor: '' });
      const owned = await client.cgi('externalcontact/groupchat/list', token, {
        limit: 10,
        owner_filter: { userid_list: ['zhangsan'] },
        status_filter: 0,
      });
      expect((owned.group_chat_list as Array<{ chat_id: string }>).map((c) => c.chat_id)).toEqual([
        'wr0',
        'wr2',
        'wr4',
      ]);
      const left = await client.cgi('externalcontact/groupchat/list', token, { limit: 10, status_filter: 1 });
      expect(left.group_chat_list).toEqual([{ chat_id: 'wr4', status: 1 }]);
      expect(await client.cgi('externalcontact/groupchat/list', token, {})).toMatchObject({ errcode: 40058 });

      const got = await client.cgi('externalcontact/groupchat/get', token, { chat_id: 'wr1', need_name: 1 });
      expect(got).toMatchObject({
        errcode: 0,
        group_chat: {
          chat_id: 'wr1',
          owner: 'lisi',
          member_list: [
            { userid: 'wm1', type: 2, join_time: 1700000000, join_scene: 3, name: '小王', unionid: 'ou1' },
          ],
          admin_list: [],
        },
      });
      expect(await client.cgi('externalcontact/groupchat/get', token, { chat_id: 'nope' })).toMatchObject({
        errcode: 40050,
      });
    });
  });

  describe('contact ways and welcome messages', () => {
    it('adds, reads, updates and deletes a contact way, and a group join way', async () => {
      const added = await client.cgi('externalcontact/add_contact_way', token, {
        type: 1,
        scene: 2,
        user: ['zhangsan'],
        state: 'ad-42',
      });
      expect(added).toMatchObject({
        errcode: 0,
        config_id: expect.any(String),
        qr_code: expect.stringMatching(/^https:\/\//),
      });
      const config_id = added.config_id;
      expect(
        await client.cgi('externalcontact/update_contact_way', token, { config_id, remark: 'spring' }),
      ).toMatchObject({ errcode: 0 });
      expect(await client.cgi('externalcontact/get_contact_way', token, { config_id })).toMatchObject({
        contact_way: { config_id, state: 'ad-42', remark: 'spring' },
      });
      expect(await client.cgi('externalcontact/del_contact_way', token, { config_id })).toMatchObject({
        errcode: 0,
      });
      expect(await client.cgi('externalcontact/del_contact_way', token, { config_id })).toMatchObject({
        errcode: 40058,
      });
      expect(
        await client.cgi('externalcontact/add_contact_way', token, { type: 1, scene: 2, user: ['a', 'b'] }),
      ).toMatchObject({
        errcode: 40058,
      });
      const join = await client.cgi('externalcontact/groupchat/add_join_way', token, {
        scene: 2,
        chat_id_list: ['wr1'],
      });
      expect(join).toMatchObject({ errcode: 0, config_id: expect.any(String) });
    });

    it('accepts a welcome code once within 20 s: 41051 when reused, 41050 when expired', async () => {
      const issue = () =>
        client.post<{ welcome_code: string }>('/_sim/welcome-codes', {
          external_userid: 'wm9',
          userid: 'zhangsan',
        });
      const { welcome_code } = await issue();
      expect(
        await client.cgi('externalcontact/send_welcome_msg', token, { welcome_code, ...text }),
      ).toMatchObject({ errcode: 0 });
      expect(
        await client.cgi('externalcontact/send_welcome_msg', token, { welcome_code, ...text }),
      ).toMatchObject({ errcode: 41051 });
      expect((await client.messages('wm9')).messages).toMatchObject([
        { api: 'externalcontact/send_welcome_msg' },
      ]);
      const late = await issue();
      await client.advanceClock(20_001);
      expect(
        await client.cgi('externalcontact/send_welcome_msg', token, {
          welcome_code: late.welcome_code,
          ...text,
        }),
      ).toMatchObject({
        errcode: 41050,
      });
    });
  });
});
