export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** The prefix of every referral invite's `state` (reserved in the AcquisitionStateRegistry). */
export const REFERRAL_STATE_PREFIX = 'rf_';

export const REFERRAL_CAMPAIGN_STATUSES = ['active', 'ended'] as const;
export type ReferralCampaignStatus = (typeof REFERRAL_CAMPAIGN_STATUSES)[number];

/** How an invitee came: added a staff member through the invite's contact way, or joined a group through its join way. */
export const INVITEE_VIAS = ['contact', 'group'] as const;
export type InviteeVia = (typeof INVITEE_VIAS)[number];

/**
 * pending: inside the retention window; retained: stayed through it (counts toward rewards);
 * lost: deleted the contact or left the group within it; refused: never counted (see the reason).
 */
export const INVITEE_STATUSES = ['pending', 'retained', 'lost', 'refused'] as const;
export type InviteeStatus = (typeof INVITEE_STATUSES)[number];

/** self: the inviter's own WeCom account; known: the brand knew the person before this add; outside_window: the campaign had not started or had ended. */
export const INVITEE_REFUSALS = ['self', 'known', 'outside_window'] as const;
export type InviteeRefusal = (typeof INVITEE_REFUSALS)[number];

export const REWARD_STATUSES = ['pending', 'issued', 'refused'] as const;
export type RewardStatus = (typeof REWARD_STATUSES)[number];

export const DEFAULT_RETENTION_HOURS = 24;
export const MAX_TIERS = 5;
export const SETTLE_BATCH = 1_000;
