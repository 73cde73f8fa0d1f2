import { Role } from '@siyu/platform';

/** Who may see and change channel accounts (owners always may). */
export const CHANNEL_ADMINS: Role[] = ['operator'];
/** Who may read the WeCom event log and retry failed events. */
export const CHANNEL_EVENT_READERS: Role[] = ['operator', 'community_manager'];
