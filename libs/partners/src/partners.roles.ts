import { Role } from '@siyu/platform';

/** Marketers run the partner programme; operators read it. Owners pass every role check. */
export const PARTNER_READERS: Role[] = ['operator', 'marketer'];
export const PARTNER_WRITERS: Role[] = ['marketer'];
