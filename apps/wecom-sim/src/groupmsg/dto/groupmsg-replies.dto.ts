/** Replies of the externalcontact group-send APIs, field for field as WeCom documents them. */
export interface AddMsgTemplateReply {
  errcode: 0;
  errmsg: 'ok';
  fail_list: string[];
  msgid: string;
}

export interface GroupMsgTaskItem {
  userid: string;
  status: number;
  send_time?: number;
}

export interface GetGroupMsgTaskReply {
  errcode: 0;
  errmsg: 'ok';
  next_cursor: string;
  task_list: GroupMsgTaskItem[];
}

export interface SendResultItem {
  external_userid?: string;
  chat_id?: string;
  userid: string;
  status: number;
  send_time?: number;
}

export interface GetGroupMsgSendResultReply {
  errcode: 0;
  errmsg: 'ok';
  next_cursor: string;
  detail_list: SendResultItem[];
}

/** GET /_sim/groupmsg?msgid=: the whole task, for tests. */
export interface GroupMsgTaskView {
  msgid: string;
  chat_type: string;
  sender: string;
  created_at: string;
  confirmed_at: number | null;
  cancelled: boolean;
  remind_count: number;
  recipients: number;
  statuses: Record<string, number>;
}
