import { Role } from '@siyu/platform';

/** Owners always may. Marketers read, preview and export; community managers and operators write. */
export const SEGMENT_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const SEGMENT_WRITERS: Role[] = ['operator', 'community_manager'];
/** A CSV of members leaves the system: operators and marketers only. */
export const SEGMENT_EXPORTERS: Role[] = ['operator', 'marketer'];
