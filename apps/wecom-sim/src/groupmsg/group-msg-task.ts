import type { StatusSource } from '../stats/message-log.service';

export type ChatType = 'single' | 'group';

/** Per-recipient send status, as get_groupmsg_send_result reports it. */
export const SendStatus = {
  NOT_SENT: 0,
  SENT: 1,
  NOT_FRIEND: 2,
  LIMIT_REACHED: 3,
} as const;

/** Per-sender task status, as get_groupmsg_task reports it. */
export const TaskStatus = {
  NOT_SENT: 0,
  SENT: 2,
} as const;

/**
 * One add_msg_template call: its recipients (external_userids or chat_ids) and their statuses in
 * parallel typed arrays, so a 10,000-recipient task costs a few hundred KB, not 10,000 objects.
 */
export class GroupMsgTask implements StatusSource {
  readonly statuses: Uint8Array;
  /** Seconds since the epoch at which the staff member confirmed; null until then. */
  confirmedAt: number | null = null;
  cancelled = false;
  remindCount = 0;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly msgid: string,
    readonly chatType: ChatType,
    readonly account: string,
    readonly sender: string,
    readonly recipients: string[],
    readonly createdAt: number,
    readonly content: unknown,
  ) {
    this.statuses = new Uint8Array(recipients.length);
  }

  statusAt(index: number): number {
    return this.statuses[index];
  }

  sendTimeAt(index: number): number | undefined {
    return this.statuses[index] === SendStatus.SENT && this.confirmedAt !== null
      ? this.confirmedAt
      : undefined;
  }

  get taskStatus(): number {
    return this.confirmedAt !== null ? TaskStatus.SENT : TaskStatus.NOT_SENT;
  }
}
