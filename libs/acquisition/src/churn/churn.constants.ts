export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Who ended the relationship (the communities lib's FollowEndedBy): del_external_contact = staff, del_follow_user = customer. */
export const CHURN_ENDED_BY = ['staff', 'customer'] as const;
export type ChurnEndedBy = (typeof CHURN_ENDED_BY)[number];

export const CHURN_ALERT_CHANNELS = ['wecom_app', 'webhook'] as const;
export type ChurnAlertChannel = (typeof CHURN_ALERT_CHANNELS)[number];

export const CHURN_ALERT_STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
export type ChurnAlertStatus = (typeof CHURN_ALERT_STATUSES)[number];

/** Which losses alert: only customers deleting staff (the default), or both directions. */
export const CHURN_ALERT_ON = ['customer', 'both'] as const;
export type ChurnAlertOn = (typeof CHURN_ALERT_ON)[number];

export const CHURN_ALERT_MAX_ATTEMPTS = 6;
export const CHURN_ALERT_LEASE_MS = 120_000;
