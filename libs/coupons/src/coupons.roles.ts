import { Role } from '@siyu/platform';

/** Operators and marketers run coupons; community managers read them. Stores redeem with an operator API key. */
export const COUPON_READERS: Role[] = ['operator', 'marketer', 'community_manager'];
export const COUPON_WRITERS: Role[] = ['operator', 'marketer'];
export const COUPON_REDEEMERS: Role[] = ['operator'];
