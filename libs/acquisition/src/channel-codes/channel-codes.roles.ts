import { Role } from '@siyu/platform';

/** Operators and community managers run channel codes; marketers read them and the report. */
export const ACQUISITION_WRITERS: Role[] = ['operator', 'community_manager'];
export const ACQUISITION_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
