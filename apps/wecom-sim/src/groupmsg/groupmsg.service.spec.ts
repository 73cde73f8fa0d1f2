import { SimClock } from '../common/sim-clock';
import type { SimConfig } from '../config/sim-config';
import { SimConfigService } from '../config/sim-config.service';
import { GroupChatService } from '../groupchat/groupchat.service';
import { MessageLogService } from '../stats/message-log.service';
import { WecomError } from '../wecom-errors';
import { GroupMsgService } from './groupmsg.service';

function setup(config: Partial<SimConfig> = {}) {
  const clock = new SimClock();
  const cfg = new SimConfigService();
  cfg.setInitial(config);
  const chats = new GroupChatService(clock);
  const messages = new MessageLogService(clock, cfg);
  return { clock, cfg, chats, messages, svc: new GroupMsgService(clock, cfg, chats, messages) };
}

const text = { text: { content: 'Spring sale starts now' } };

function statusesOf(svc: GroupMsgService, msgid: string, userid = 'sim-staff') {
  const result = svc.getSendResult({ msgid, userid, limit: 1000 });
  return Object.fromEntries(result.detail_list.map((d) => [d.external_userid ?? d.chat_id, d.status]));
}

function errcodeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof WecomError) return err.errcode;
    throw err;
  }
  return undefined;
}

describe('GroupMsgService limits and statuses', () => {
  it('gives status 3 to a customer past the per-day limit, and lets them through again the next natural day', () => {
    const { svc, clock } = setup({ customerLimit: 2 });
    const send = () => svc.add('corp', { external_userid: ['wm1', 'wm2'], ...text }).msgid;
    const first = send();
    svc.add('corp', { external_userid: ['wm1'], ...text });
    const third = send();
    expect(statusesOf(svc, first)).toEqual({ wm1: 1, wm2: 1 });
    expect(statusesOf(svc, third)).toEqual({ wm1: 3, wm2: 1 });
    clock.advance(24 * 3_600_000);
    expect(statusesOf(svc, send())).toEqual({ wm1: 1, wm2: 1 });
    expect(svc.totals().statuses).toEqual({ '0': 0, '1': 6, '2': 0, '3': 1 });
  });

  it('counts the group limit per chat, separately from customers', () => {
    const { svc } = setup({ groupLimit: 1, customerLimit: 1 });
    const g1 = svc.add('corp', {
      chat_type: 'group',
      sender: 'zhangsan',
      chat_id_list: ['wr1', 'wr2'],
      ...text,
    }).msgid;
    const g2 = svc.add('corp', {
      chat_type: 'group',
      sender: 'zhangsan',
      chat_id_list: ['wr2', 'wr3'],
      ...text,
    }).msgid;
    const s1 = svc.add('corp', { external_userid: ['wr2'], ...text }).msgid;
    expect(statusesOf(svc, g1, 'zhangsan')).toEqual({ wr1: 1, wr2: 1 });
    expect(statusesOf(svc, g2, 'zhangsan')).toEqual({ wr2: 3, wr3: 1 });
    expect(statusesOf(svc, s1)).toEqual({ wr2: 1 });
  });

  it('marks configured non-friends status 2 without using their quota, and invalid ids go to fail_list', () => {
    const { svc } = setup({ customerLimit: 1, notFriends: ['wm2'], invalidExternalUserIds: ['bad'] });
    const reply = svc.add('corp', { external_userid: ['wm1', 'wm2', 'bad'], ...text });
    expect(reply.fail_list).toEqual(['bad']);
    expect(statusesOf(svc, reply.msgid)).toEqual({ wm1: 1, wm2: 2 });
  });

  it('keeps everyone at status 0 until a manual confirmation, and cancel stops it', () => {
    const { svc } = setup({ confirmMode: 'manual' });
    const a = svc.add('corp', { external_userid: ['wm1'], ...text }).msgid;
    const b = svc.add('corp', { external_userid: ['wm2'], ...text }).msgid;
    expect(statusesOf(svc, a)).toEqual({ wm1: 0 });
    expect(svc.getTask({ msgid: a }).task_list).toEqual([{ userid: 'sim-staff', status: 0 }]);
    svc.cancel({ msgid: b });
    expect(svc.confirmAll()).toEqual([a]);
    expect(statusesOf(svc, a)).toEqual({ wm1: 1 });
    expect(svc.getTask({ msgid: a }).task_list[0]).toMatchObject({
      status: 2,
      send_time: expect.any(Number),
    });
    expect(statusesOf(svc, b)).toEqual({ wm2: 0 });
  });

  it('answers 41063 before confirmation when configured, and during the task-creation delay', () => {
    const { svc, clock } = setup({ confirmMode: 'manual', notReadyBeforeConfirm: true });
    const msgid = svc.add('corp', { external_userid: ['wm1'], ...text }).msgid;
    expect(errcodeOf(() => svc.getSendResult({ msgid, userid: 'sim-staff' }))).toBe(41063);
    svc.confirm(msgid);
    expect(errcodeOf(() => svc.getSendResult({ msgid, userid: 'sim-staff' }))).toBeUndefined();

    const delayed = setup({ taskCreateDelayMs: 5000 });
    const id = delayed.svc.add('corp', { external_userid: ['wm1'], ...text }).msgid;
    expect(errcodeOf(() => delayed.svc.getTask({ msgid: id }))).toBe(41063);
    delayed.clock.advance(5000);
    expect(errcodeOf(() => delayed.svc.getTask({ msgid: id }))).toBeUndefined();
    expect(clock.offset).toBe(0);
  });

  it('validates input with the documented codes', () => {
    const { svc } = setup();
    expect(
      errcodeOf(() => svc.add('corp', { chat_type: 'broadcast', external_userid: ['a'], ...text })),
    ).toBe(40058);
    expect(errcodeOf(() => svc.add('corp', { ...text }))).toBe(40058);
    expect(errcodeOf(() => svc.add('corp', { chat_type: 'group', ...text }))).toBe(40058);
    expect(errcodeOf(() => svc.add('corp', { external_userid: ['a'] }))).toBe(40058);
    expect(
      errcodeOf(() => svc.add('corp', { external_userid: ['a'], text: { content: '字'.repeat(1334) } })),
    ).toBe(45002);
    expect(
      errcodeOf(() => svc.add('corp', { external_userid: ['a'], text: { content: '字'.repeat(1333) } })),
    ).toBeUndefined();
    const ids = Array.from({ length: 10_001 }, (_, i) => `wm${i}`);
    expect(errcodeOf(() => svc.add('corp', { external_userid: ids, ...text }))).toBe(40058);
    const link = { msgtype: 'link', link: { title: 't', url: 'https://x.example' } };
    expect(
      errcodeOf(() => svc.add('corp', { external_userid: ['a'], attachments: new Array(10).fill(link) })),
    ).toBe(40058);
    expect(
      errcodeOf(() => svc.add('corp', { external_userid: ['a'], attachments: new Array(9).fill(link) })),
    ).toBeUndefined();
    expect(
      errcodeOf(() =>
        svc.add('corp', { external_userid: ['a'], attachments: [{ msgtype: 'link', link: { title: 't' } }] }),
      ),
    ).toBe(40058);
    expect(
      errcodeOf(() =>
        svc.add('corp', { external_userid: ['a'], attachments: [{ msgtype: 'image', image: {} }] }),
      ),
    ).toBe(40058);
  });

  it('sends a group message to the sender’s seeded groups when chat_id_list is omitted, paging results', () => {
    const { svc, chats } = setup();
    for (let i = 0; i < 5; i++) chats.upsert({ chat_id: `wr${i}`, owner: i < 3 ? 'zhangsan' : 'lisi' });
    const msgid = svc.add('corp', { chat_type: 'group', sender: 'zhangsan', ...text }).msgid;
    const page1 = svc.getSendResult({ msgid, userid: 'zhangsan', limit: 2 });
    expect(page1.detail_list.map((d) => d.chat_id)).toEqual(['wr0', 'wr1']);
    const page2 = svc.getSendResult({ msgid, userid: 'zhangsan', limit: 2, cursor: page1.next_cursor });
    expect(page2.detail_list.map((d) => d.chat_id)).toEqual(['wr2']);
    expect(page2.next_cursor).toBe('');
    expect(svc.getSendResult({ msgid, userid: 'lisi' }).detail_list).toEqual([]);
  });
});
