/** Where a member first came from (first touch). */
export const SOURCE_CHANNELS = [
  'wechat_oa',
  'wecom',
  'wechat_channels',
  'douyin',
  'xiaohongshu',
  'bilibili',
  'taobao',
  'store',
  'import',
  'other',
] as const;
export type SourceChannel = (typeof SOURCE_CHANNELS)[number];

/** The ways a person is recognised. `openid` is per WeChat app, so it is stored with its app id. */
export const IDENTITY_KINDS = ['unionid', 'openid', 'external_userid', 'phone', 'store_customer_id'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export const CONSENT_STATUSES = ['opted_in', 'opted_out'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** Event types this lib writes to the timeline; other libs append their own (`order.paid`, …). */
export const MEMBER_EVENT_TYPES = {
  created: 'member.created',
  updated: 'member.updated',
  identityAdded: 'member.identity_added',
  tagged: 'member.tagged',
  untagged: 'member.untagged',
  consentChanged: 'member.consent_changed',
  merged: 'member.merged',
  mergedInto: 'member.merged_into',
  imported: 'member.imported',
  erased: 'member.erased',
} as const;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
