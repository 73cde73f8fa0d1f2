import { Role } from '@siyu/platform';

/** Marketers and operators read the reports (owners always may). */
export const ANALYTICS_READERS: Role[] = ['marketer', 'operator'];
/** The group-chat report is also for the community managers who run those groups. */
export const GROUP_REPORT_READERS: Role[] = ['marketer', 'operator', 'community_manager'];
