import { describeConstraint, DomainException, FieldError } from '@siyu/platform';

export enum PartnerErrorCode {
  NotFound = 'PARTNER_NOT_FOUND',
  Invalid = 'PARTNER_INVALID',
  InvalidTransition = 'PARTNER_INVALID_TRANSITION',
  NotActive = 'PARTNER_NOT_ACTIVE',
  LinkLimit = 'PARTNER_LINK_LIMIT_REACHED',
  TemplateExists = 'PARTNER_DEDICATED_TEMPLATE_EXISTS',
  UpliftNotFound = 'PARTNER_UPLIFT_NOT_FOUND',
  SettlementNotFound = 'PARTNER_SETTLEMENT_NOT_FOUND',
  SettlementState = 'PARTNER_SETTLEMENT_INVALID_STATE',
  SettlementExists = 'PARTNER_SETTLEMENT_EXISTS',
  SettlementImmutable = 'PARTNER_SETTLEMENT_IMMUTABLE',
}

describeConstraint(
  'partner_settlements_period_key',
  PartnerErrorCode.SettlementExists,
  'the partner already has a settlement for this period',
  'from',
);
describeConstraint(
  'partner_settlements_immutable',
  PartnerErrorCode.SettlementImmutable,
  'a confirmed settlement, its lines and its commissions cannot change',
);

export class PartnerException extends DomainException {
  static notFound(id: string): PartnerException {
    return new PartnerException(PartnerErrorCode.NotFound, 404, `partner ${id} was not found`);
  }

  /** 422: a reference (member, template) that is not the brand's, or terms that do not fit together. */
  static invalid(errors: FieldError[]): PartnerException {
    return new PartnerException(
      PartnerErrorCode.Invalid,
      422,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static invalidTransition(from: string, to: string, allowed: readonly string[]): PartnerException {
    return new PartnerException(
      PartnerErrorCode.InvalidTransition,
      409,
      `a ${from} partner cannot become ${to}; it may become ${allowed.join(', ') || 'nothing else'}`,
      [{ field: 'status', message: `is ${from}` }],
    );
  }

  static notActive(status: string, what: string): PartnerException {
    return new PartnerException(
      PartnerErrorCode.NotActive,
      409,
      `a ${status} partner cannot ${what}; it must be pilot, standard or preferred`,
      [{ field: 'status', message: `is ${status}` }],
    );
  }

  static linkLimit(limit: number, tier: string): PartnerException {
    return new PartnerException(
      PartnerErrorCode.LinkLimit,
      409,
      `a ${tier} partner may have ${limit} tracked link(s); this one has them all`,
    );
  }

  static templateExists(id: string): PartnerException {
    return new PartnerException(
      PartnerErrorCode.TemplateExists,
      409,
      `the partner already has a dedicated coupon template (${id})`,
    );
  }

  static upliftNotFound(id: string): PartnerException {
    return new PartnerException(PartnerErrorCode.UpliftNotFound, 404, `partner uplift ${id} was not found`);
  }

  static settlementNotFound(id: string): PartnerException {
    return new PartnerException(
      PartnerErrorCode.SettlementNotFound,
      404,
      `partner settlement ${id} was not found`,
    );
  }

  static settlementExists(id: string): PartnerException {
    return new PartnerException(
      PartnerErrorCode.SettlementExists,
      409,
      `settlement ${id} already covers part of this period`,
      [{ field: 'from', message: 'overlaps a settlement of the partner' }],
    );
  }

  static settlementState(action: string, state: string, allowed: string[]): PartnerException {
    return new PartnerException(
      PartnerErrorCode.SettlementState,
      409,
      `cannot ${action} a ${state} settlement; it must be ${allowed.join(' or ')}`,
      [{ field: 'status', message: `is ${state}` }],
    );
  }
}
