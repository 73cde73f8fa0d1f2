import { Role } from '@siyu/platform';

/** Operators schedule campaigns; community managers and marketers read them and their results. */
export const CAMPAIGN_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const CAMPAIGN_WRITERS: Role[] = ['operator'];
