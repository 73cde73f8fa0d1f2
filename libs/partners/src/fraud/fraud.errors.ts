import { DomainException } from '@siyu/platform';

export enum PartnerFraudErrorCode {
  FlagNotFound = 'PARTNER_FRAUD_FLAG_NOT_FOUND',
  FlagReviewed = 'PARTNER_FRAUD_FLAG_ALREADY_REVIEWED',
}

export class PartnerFraudException extends DomainException {
  static flagNotFound(id: string): PartnerFraudException {
    return new PartnerFraudException(
      PartnerFraudErrorCode.FlagNotFound,
      404,
      `fraud flag ${id} was not found`,
    );
  }

  /** 409: a flag is reviewed once; its decision stands (the audit log has who and when). */
  static reviewed(id: string, status: string): PartnerFraudException {
    return new PartnerFraudException(
      PartnerFraudErrorCode.FlagReviewed,
      409,
      `fraud flag ${id} was already reviewed (${status})`,
      [{ field: 'status', message: `is ${status}` }],
    );
  }
}
