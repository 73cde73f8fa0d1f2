import { Role } from '@siyu/platform';

/** Fraud review, reconciliation and KPIs: marketers and operators (owners always may). */
export const PARTNER_RISK_READERS: Role[] = ['operator', 'marketer'];
export const PARTNER_RISK_WRITERS: Role[] = ['operator', 'marketer'];
