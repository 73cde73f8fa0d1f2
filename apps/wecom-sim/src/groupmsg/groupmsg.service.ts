import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { JsonObject, nextCursor } from '../common/cgi-body';
import type { MsgContent } from '../common/msg-content';
import { SimClock } from '../common/sim-clock';
import { SimConfigService } from '../config/sim-config.service';
import { GroupChatService } from '../groupchat/groupchat.service';
import { MessageLogService } from '../stats/message-log.service';
import { OK, WecomErrcode, WecomError, WecomReply } from '../wecom-errors';
import type {
  AddMsgTemplateReply,
  GetGroupMsgSendResultReply,
  GetGroupMsgTaskReply,
  GroupMsgTaskView,
  SendResultItem,
} from './dto/groupmsg-replies.dto';
import {
  parseAddMsgTemplate,
  parseGetGroupMsgSendResult,
  parseGetGroupMsgTask,
  parseGroupMsgId,
} from './dto/groupmsg-requests.dto';
import { GroupMsgTask, SendStatus } from './group-msg-task';
import { PeriodLimiter, periodKey } from './period-limiter';

export const ADD_MSG_TEMPLATE = 'externalcontact/add_msg_template';

export interface GroupMsgTotals {
  tasks: number;
  confirmed: number;
  cancelled: number;
  reminded: number;
  statuses: Record<string, number>;
}

/**
 * Enterprise group sends (企业群发): add_msg_template creates a task for one staff member; the
 * staff member confirms it (immediately, after a delay, or when a test says so) and only then do
 * recipients get status 1, 2 (not a friend) or 3 (over the per-customer / per-group limit).
 */
@Injectable()
export class GroupMsgService implements OnModuleDestroy {
  private tasks = new Map<string, GroupMsgTask>();
  private customerLimiter = new PeriodLimiter();
  private groupLimiter = new PeriodLimiter();
  private seq = 0;
  private statusCounts = [0, 0, 0, 0];
  private confirmedCount = 0;
  private cancelledCount = 0;
  private remindedCount = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
    private readonly groupChats: GroupChatService,
    private readonly messages: MessageLogService,
  ) {}

  add(account: string, body: JsonObject): AddMsgTemplateReply {
    const request = parseAddMsgTemplate(body);
    const content: MsgContent = { text: request.text, attachments: request.attachments };
    const failList: string[] = [];
    let recipients: string[];
    let sender: string;
    if (request.chat_type === 'single') {
      recipients = [];
      const invalid = this.config.invalidExternalUserIds;
      for (const id of new Set(request.external_userid ?? []))
        (invalid.has(id) ? failList : recipients).push(id);
      sender = request.sender ?? this.config.current.defaultSender;
    } else {
      sender = request.sender as string;
      recipients = [...new Set(request.chat_id_list ?? this.groupChats.ownedBy(sender))];
    }

    const msgid = `msg${(++this.seq).toString(36)}${randomBytes(6).toString('base64url')}`;
    const task = new GroupMsgTask(
      msgid,
      request.chat_type,
      account,
      sender,
      recipients,
      this.clock.now(),
      content,
    );
    this.tasks.set(msgid, task);
    const key = this.messages.keyFor(body, () => JSON.stringify(content));
    for (let i = 0; i < recipients.length; i++) {
      this.messages.record(recipients[i], {
        api: ADD_MSG_TEMPLATE,
        msgid,
        key,
        payload: content,
        source: task,
        index: i,
      });
    }
    this.statusCounts[SendStatus.NOT_SENT] += recipients.length;
    this.schedule(task);
    return { errcode: 0, errmsg: 'ok', fail_list: failList, msgid };
  }

  getTask(body: JsonObject): GetGroupMsgTaskReply {
    const request = parseGetGroupMsgTask(body);
    const task = this.readyTask(request.msgid);
    const item = {
      userid: task.sender,
      status: task.taskStatus,
      ...(task.confirmedAt !== null ? { send_time: task.confirmedAt } : {}),
    };
    // One sender per task in the simulator, so the list is a single page.
    return { errcode: 0, errmsg: 'ok', next_cursor: '', task_list: request.cursor === 0 ? [item] : [] };
  }

  getSendResult(body: JsonObject): GetGroupMsgSendResultReply {
    const { msgid, userid, limit, cursor: offset } = parseGetGroupMsgSendResult(body);
    const task = this.readyTask(msgid);
    if (userid !== task.sender) return { errcode: 0, errmsg: 'ok', next_cursor: '', detail_list: [] };
    const end = Math.min(offset + limit, task.recipients.length);
    const field = task.chatType === 'single' ? 'external_userid' : 'chat_id';
    const detail: SendResultItem[] = [];
    for (let i = offset; i < end; i++) {
      const item: SendResultItem = {
        [field]: task.recipients[i],
        userid: task.sender,
        status: task.statuses[i],
      };
      const sendTime = task.sendTimeAt(i);
      if (sendTime !== undefined) item.send_time = sendTime;
      detail.push(item);
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      next_cursor: nextCursor(offset, end - offset, task.recipients.length),
      detail_list: detail,
    };
  }

  remind(body: JsonObject): WecomReply {
    const task = this.task(parseGroupMsgId(body).msgid);
    task.remindCount++;
    this.remindedCount++;
    return OK;
  }

  cancel(body: JsonObject): WecomReply {
    const task = this.task(parseGroupMsgId(body).msgid);
    if (!task.cancelled && task.confirmedAt === null) {
      task.cancelled = true;
      this.cancelledCount++;
      if (task.timer) clearTimeout(task.timer);
      task.timer = null;
    }
    return OK;
  }

  /** The staff member sends: each recipient ends as sent, not a friend, or over its limit. */
  confirm(msgid: string): boolean {
    const task = this.tasks.get(msgid);
    if (!task || task.confirmedAt !== null || task.cancelled) return false;
    if (task.timer) clearTimeout(task.timer);
    task.timer = null;
    const cfg = this.config.current;
    const now = this.clock.now();
    const period = periodKey(now, cfg.limitPeriod, cfg.utcOffsetHours);
    const single = task.chatType === 'single';
    const limiter = single ? this.customerLimiter : this.groupLimiter;
    const limit = single ? cfg.customerLimit : cfg.groupLimit;
    const notFriends = this.config.notFriends;
    for (let i = 0; i < task.recipients.length; i++) {
      const r = task.recipients[i];
      const status =
        single && notFriends.has(r)
          ? SendStatus.NOT_FRIEND
          : limiter.tryConsume(r, period, limit)
            ? SendStatus.SENT
            : SendStatus.LIMIT_REACHED;
      task.statuses[i] = status;
      this.statusCounts[SendStatus.NOT_SENT]--;
      this.statusCounts[status]++;
    }
    task.confirmedAt = Math.floor(now / 1000);
    this.confirmedCount++;
    return true;
  }

  /** Confirms every pending task (manual mode), optionally only one sender's. */
  confirmAll(sender?: string): string[] {
    const done: string[] = [];
    for (const task of this.tasks.values()) {
      if ((!sender || task.sender === sender) && this.confirm(task.msgid)) done.push(task.msgid);
    }
    return done;
  }

  view(msgid: string): GroupMsgTaskView | null {
    const task = this.tasks.get(msgid);
    if (!task) return null;
    const statuses: Record<string, number> = {};
    for (const s of task.statuses) statuses[s] = (statuses[s] ?? 0) + 1;
    return {
      msgid,
      chat_type: task.chatType,
      sender: task.sender,
      created_at: new Date(task.createdAt).toISOString(),
      confirmed_at: task.confirmedAt,
      cancelled: task.cancelled,
      remind_count: task.remindCount,
      recipients: task.recipients.length,
      statuses,
    };
  }

  totals(): GroupMsgTotals {
    return {
      tasks: this.tasks.size,
      confirmed: this.confirmedCount,
      cancelled: this.cancelledCount,
      reminded: this.remindedCount,
      statuses: Object.fromEntries(this.statusCounts.map((n, s) => [String(s), n])),
    };
  }

  reset(): void {
    this.clearTimers();
    this.tasks = new Map();
    this.customerLimiter.clear();
    this.groupLimiter.clear();
    this.statusCounts = [0, 0, 0, 0];
    this.confirmedCount = 0;
    this.cancelledCount = 0;
    this.remindedCount = 0;
  }

  onModuleDestroy(): void {
    this.clearTimers();
  }

  private schedule(task: GroupMsgTask): void {
    const { confirmMode, confirmDelayMs } = this.config.current;
    if (confirmMode === 'immediate' || (confirmMode === 'delay' && confirmDelayMs === 0)) {
      this.confirm(task.msgid);
    } else if (confirmMode === 'delay') {
      task.timer = setTimeout(() => this.confirm(task.msgid), confirmDelayMs);
      task.timer.unref();
    }
  }

  private task(msgid: string): GroupMsgTask {
    const task = this.tasks.get(msgid);
    if (!task) throw WecomError.invalid(`msgid ${msgid} not found`);
    return task;
  }

  private readyTask(msgid: string): GroupMsgTask {
    const task = this.task(msgid);
    const cfg = this.config.current;
    if (cfg.taskCreateDelayMs > 0 && this.clock.now() < task.createdAt + cfg.taskCreateDelayMs) {
      throw new WecomError(WecomErrcode.NOT_READY);
    }
    if (cfg.notReadyBeforeConfirm && task.confirmedAt === null) throw new WecomError(WecomErrcode.NOT_READY);
    return task;
  }

  private clearTimers(): void {
    for (const task of this.tasks.values()) {
      if (task.timer) clearTimeout(task.timer);
      task.timer = null;
    }
  }
}
