import { DomainException, FieldError } from '@siyu/platform';

export enum CommerceErrorCode {
  OrderConflict = 'ORDER_CONFLICT',
  CustomerMissing = 'ORDER_CUSTOMER_MISSING',
  CurrencyMismatch = 'ORDER_CURRENCY_MISMATCH',
  MemberNotFound = 'ORDER_MEMBER_NOT_FOUND',
  MemberErased = 'ORDER_MEMBER_ERASED',
  IdentityConflict = 'ORDER_IDENTITY_CONFLICT',
  RefundExceedsOrder = 'REFUND_EXCEEDS_ORDER',
  RefundConflict = 'REFUND_CONFLICT',
  NotRefundable = 'ORDER_NOT_REFUNDABLE',
  RefundBeforeOrder = 'REFUND_BEFORE_ORDER',
}

export class CommerceException extends DomainException {
  /** The same (source, externalId) came back with other content that is not an allowed status change. */
  static orderConflict(orderId: string, errors: FieldError[]): CommerceException {
    return new CommerceException(
      CommerceErrorCode.OrderConflict,
      409,
      `Order ${orderId} was recorded with this source and externalId but other content (${errors
        .map((e) => e.field)
        .join(', ')}); an order's content cannot change, only its status can move forward`,
      errors,
    );
  }

  static customerMissing(): CommerceException {
    return new CommerceException(
      CommerceErrorCode.CustomerMissing,
      400,
      'Give the customer as memberId or as identities',
      [
        {
          field: 'identities',
          message:
            'give memberId, or identities with at least one of unionid, openid with appId, externalUserId, phone, storeCustomerId',
        },
      ],
    );
  }

  static customerTwice(): CommerceException {
    return new CommerceException(
      CommerceErrorCode.CustomerMissing,
      400,
      'Give the customer as memberId or as identities, not both',
      [{ field: 'memberId', message: 'give memberId or identities, not both' }],
    );
  }

  static currencyMismatch(given: string, brandCurrency: string): CommerceException {
    return new CommerceException(
      CommerceErrorCode.CurrencyMismatch,
      422,
      `The order is in ${given} but the brand keeps its books in ${brandCurrency}`,
      [{ field: 'currency', message: `currency must be the brand's currency, ${brandCurrency}` }],
    );
  }

  static memberNotFound(memberId: string): CommerceException {
    return new CommerceException(CommerceErrorCode.MemberNotFound, 422, `Member ${memberId} was not found`, [
      { field: 'memberId', message: `no member ${memberId} in this brand` },
    ]);
  }

  static memberErased(memberId: string): CommerceException {
    return new CommerceException(
      CommerceErrorCode.MemberErased,
      422,
      `Member ${memberId} was erased; orders can no longer be attached to it`,
      [{ field: 'memberId', message: `member ${memberId} is erased` }],
    );
  }

  static identityConflict(memberIds: string[], errors: FieldError[]): CommerceException {
    return new CommerceException(
      CommerceErrorCode.IdentityConflict,
      409,
      `The identities belong to different members: ${memberIds.join(' and ')}. Merge them with POST /v1/members/merge, or give memberId.`,
      errors,
    );
  }

  static refundExceeds(orderId: string, refundable: string): CommerceException {
    return new CommerceException(
      CommerceErrorCode.RefundExceedsOrder,
      422,
      `The refund would exceed order ${orderId}: at most ${refundable} (minor units) is left to refund`,
      [{ field: 'amountMinor', message: `amountMinor must be at most ${refundable}` }],
    );
  }

  static refundConflict(refundId: string, field: string): CommerceException {
    return new CommerceException(
      CommerceErrorCode.RefundConflict,
      409,
      `Refund ${refundId} was recorded with this externalId but another ${field}`,
      [{ field, message: `differs from refund ${refundId} recorded with this externalId` }],
    );
  }

  static notRefundable(orderId: string, status: string): CommerceException {
    return new CommerceException(
      CommerceErrorCode.NotRefundable,
      422,
      `Order ${orderId} is ${status} and cannot be refunded`,
      [{ field: 'amountMinor', message: `order is ${status}` }],
    );
  }

  static refundBeforeOrder(): CommerceException {
    return new CommerceException(
      CommerceErrorCode.RefundBeforeOrder,
      422,
      'A refund cannot happen before its order was placed',
      [{ field: 'refundedAt', message: 'refundedAt must not be before the order’s placedAt' }],
    );
  }
}
