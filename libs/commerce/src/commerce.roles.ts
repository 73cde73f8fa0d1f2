import { Role } from '@siyu/platform';

/** Who may read orders and who may record them (owners always may; store integrations use operator API keys). */
export const ORDER_READERS: Role[] = ['operator', 'marketer', 'community_manager'];
export const ORDER_WRITERS: Role[] = ['operator'];
