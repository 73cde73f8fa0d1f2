import { DomainException, FieldError } from '@siyu/platform';
import type { IssueRefusal, RefusalReason, TemplateStatus } from './coupons.constants';

export enum CouponErrorCode {
  TemplateNotFound = 'COUPON_TEMPLATE_NOT_FOUND',
  CouponNotFound = 'COUPON_NOT_FOUND',
  BatchNotFound = 'COUPON_BATCH_NOT_FOUND',
  InvalidState = 'COUPON_TEMPLATE_INVALID_STATE',
  Invalid = 'COUPON_TEMPLATE_INVALID',
  CodeSpaceTooSmall = 'COUPON_CODE_SPACE_TOO_SMALL',
  CodeTaken = 'COUPON_CODE_TAKEN',
  NotIssued = 'COUPON_NOT_ISSUED',
  BudgetExhausted = 'COUPON_BUDGET_EXHAUSTED',
  NotRedeemable = 'COUPON_NOT_REDEEMABLE',
}

export class CouponException extends DomainException {
  /** Why the coupon was refused (a RefusalReason or IssueRefusal), for clients that branch on it. */
  reason?: string;

  static templateNotFound(id: string): CouponException {
    return new CouponException(CouponErrorCode.TemplateNotFound, 404, `coupon template ${id} was not found`);
  }

  static couponNotFound(id: string): CouponException {
    return new CouponException(CouponErrorCode.CouponNotFound, 404, `coupon ${id} was not found`);
  }

  static batchNotFound(id: string): CouponException {
    return new CouponException(CouponErrorCode.BatchNotFound, 404, `coupon batch ${id} was not found`);
  }

  static invalidState(
    action: string,
    status: TemplateStatus,
    allowed: readonly TemplateStatus[],
  ): CouponException {
    return new CouponException(
      CouponErrorCode.InvalidState,
      409,
      `cannot ${action} a coupon template that is ${status}; it must be ${allowed.join(' or ')}`,
      [{ field: 'status', message: `is ${status}` }],
    );
  }

  /** 422: the template's terms do not fit together (a cap on a fixed amount, a budget below what was used…). */
  static invalid(errors: FieldError[]): CouponException {
    return new CouponException(
      CouponErrorCode.Invalid,
      422,
      `the coupon template is not consistent: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      errors,
    );
  }

  static codeSpaceTooSmall(field: string, message: string): CouponException {
    return new CouponException(CouponErrorCode.CodeSpaceTooSmall, 422, message, [{ field, message }]);
  }

  static codeTaken(code: string): CouponException {
    return new CouponException(CouponErrorCode.CodeTaken, 409, `the code ${code} is already in use`, [
      { field: 'code', message: 'is already in use' },
    ]);
  }

  /** 422: an issue was refused (over a budget, over the member's limit, template not active…). */
  static notIssued(reason: IssueRefusal, detail: string, field?: string): CouponException {
    const e = new CouponException(
      reason === 'budget_exhausted' ? CouponErrorCode.BudgetExhausted : CouponErrorCode.NotIssued,
      reason === 'template_not_found' || reason === 'member_not_found' ? 404 : 422,
      detail,
      [{ field: field ?? reasonField(reason), message: reason }],
    );
    e.reason = reason;
    return e;
  }

  /** 422: the code cannot be redeemed; `reason` says why. */
  static notRedeemable(reason: RefusalReason, detail: string): CouponException {
    const e = new CouponException(CouponErrorCode.NotRedeemable, 422, detail, [
      { field: refusalField(reason), message: reason },
    ]);
    e.reason = reason;
    return e;
  }
}

function reasonField(reason: IssueRefusal): string {
  return reason === 'member_not_found' || reason === 'member_limit' ? 'memberId' : 'templateId';
}

function refusalField(reason: RefusalReason): string {
  switch (reason) {
    case 'minimum_spend':
      return 'cartAmountMinor';
    case 'channel_not_allowed':
      return 'channel';
    case 'not_yours':
    case 'member_required':
    case 'member_limit':
      return 'memberId';
    default:
      return 'code';
  }
}
