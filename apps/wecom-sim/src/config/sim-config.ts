export type ConfirmMode = 'immediate' | 'delay' | 'manual';
export type LimitPeriod = 'day' | 'month';

/** Runtime behaviour of the simulator; `POST /_sim/config` changes any subset of it. */
export interface SimConfig {
  /** Lifetime of issued access tokens (`expires_in`). */
  tokenTtlSeconds: number;
  /** corpid → corpsecret accepted by gettoken; null accepts any non-empty pair. */
  corpSecrets: Record<string, string> | null;
  /** appid → secret accepted by the OA token endpoints; null accepts any non-empty pair. */
  appSecrets: Record<string, string> | null;
  /** When staff confirm a group-send task: at once, after `confirmDelayMs`, or only via /_sim/groupmsg/confirm. */
  confirmMode: ConfirmMode;
  confirmDelayMs: number;
  /** For this long after add_msg_template, get_groupmsg_* answer 41063 (the task is still being created). */
  taskCreateDelayMs: number;
  /** get_groupmsg_* answer 41063 until the task is confirmed. */
  notReadyBeforeConfirm: boolean;
  /** Broadcasts one customer (1:1) may receive per period; further ones end with status 3. */
  customerLimit: number;
  /** Broadcasts one customer group may receive per period. */
  groupLimit: number;
  /** The period the limits count over: a natural day (WeCom's older rule) or a natural month. */
  limitPeriod: LimitPeriod;
  /** Time zone of the natural day/month, as a fixed UTC offset (China: +8). */
  utcOffsetHours: number;
  /** external_userids that are not the sender's friend: status 2 after confirmation. */
  notFriends: string[];
  /** external_userids the server does not know: returned in add_msg_template's fail_list. */
  invalidExternalUserIds: string[];
  /** OA openids that refuse messages (template send → 43004, subscribe send → 43101). */
  blockedOpenids: string[];
  /** The staff userid for a 1:1 broadcast given without `sender`. */
  defaultSender: string;
  /** How long a WelcomeCode stays usable after the add event it came with. */
  welcomeCodeTtlMs: number;
  /** Payloads kept per recipient (its most recent); metadata and counts are always complete. */
  keepPayloadsPerRecipient: number;
  /** Payloads kept in total across all recipients; past this the oldest are dropped. */
  maxStoredPayloads: number;
  /** Dotted path into a send's body whose value is the logical message key (default: a content hash). */
  dedupeKeyPath: string | null;
}

export function defaultSimConfig(): SimConfig {
  return {
    tokenTtlSeconds: 7200,
    corpSecrets: null,
    appSecrets: null,
    confirmMode: 'immediate',
    confirmDelayMs: 0,
    taskCreateDelayMs: 0,
    notReadyBeforeConfirm: false,
    customerLimit: 4,
    groupLimit: 4,
    limitPeriod: 'day',
    utcOffsetHours: 8,
    notFriends: [],
    invalidExternalUserIds: [],
    blockedOpenids: [],
    defaultSender: 'sim-staff',
    welcomeCodeTtlMs: 20_000,
    keepPayloadsPerRecipient: 10,
    maxStoredPayloads: 50_000,
    dedupeKeyPath: null,
  };
}
