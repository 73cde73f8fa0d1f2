/** How a channel code picks which staff members its QR code adds. */
export const ROUTING_RULES = ['round_robin', 'least_loaded', 'schedule'] as const;
export type RoutingRule = (typeof ROUTING_RULES)[number];

export const CHANNEL_CODE_TYPES = ['single', 'multi'] as const;
export type ChannelCodeType = (typeof CHANNEL_CODE_TYPES)[number];

export const CHANNEL_CODE_STATUSES = ['active', 'paused', 'deleted'] as const;
export type ChannelCodeStatus = (typeof CHANNEL_CODE_STATUSES)[number];

/** WeCom's limits for a contact way. */
export const MAX_STATE_LENGTH = 30;
export const MAX_CODE_STAFF = 100;
export const MAX_CODE_TAGS = 20;

/** One window of a schedule rule: on these ISO weekdays (1 = Monday), from `start` to `end` local time. */
export interface ScheduleWindow {
  weekdays: number[];
  /** HH:mm, brand-local. */
  start: string;
  /** HH:mm, brand-local; after `start` (a window does not cross midnight). */
  end: string;
  /** The staff userids on duty in this window (each one of the code's staff). */
  staff: string[];
}

export interface RoutingConfig {
  rule: RoutingRule;
  /** Adds per staff member per brand-local day through this code; null = no cap. */
  dailyCap: number | null;
  /** For `schedule`: the windows. */
  schedule: ScheduleWindow[];
}

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
