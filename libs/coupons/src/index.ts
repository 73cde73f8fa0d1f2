export { CouponBatchesService } from './coupon-batches.service';
export {
  codeSpace,
  feasibility,
  normaliseCode,
  randomCode,
  randomCodeLines,
  randomCodes,
} from './coupon-codes';
export { CouponExpiryService } from './coupon-expiry.service';
export { CouponIssuingService } from './coupon-issuing.service';
export type { CouponIssueRequest, CouponIssueResult, CouponIssueSource } from './coupon-issuing.service';
export { CouponRedemptionService, discountFor, REFUSAL_TEXT } from './coupon-redemption.service';
export type { Evaluation, RedeemInput, RedeemOutcome, Redemption } from './coupon-redemption.service';
export { CouponTemplatesService } from './coupon-templates.service';
export type { CouponReport } from './coupon-templates.service';
export { CouponTierPerksService } from './coupon-tier-perks.service';
export * from './coupons-http.module';
export * from './coupons-worker.module';
export * from './coupons.constants';
export * from './coupons.errors';
export * from './coupons.module';
export * from './coupons.roles';
export * from './jobs/coupons.queue';
