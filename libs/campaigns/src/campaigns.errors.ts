import { DomainException, FieldError } from '@siyu/platform';
import type { CampaignStatus } from './campaigns.constants';

export enum CampaignErrorCode {
  NotFound = 'CAMPAIGN_NOT_FOUND',
  InvalidState = 'CAMPAIGN_INVALID_STATE',
  Invalid = 'CAMPAIGN_INVALID',
  NothingToResend = 'CAMPAIGN_NOTHING_TO_RESEND',
}

export class CampaignException extends DomainException {
  static notFound(id: string): CampaignException {
    return new CampaignException(CampaignErrorCode.NotFound, 404, `campaign ${id} was not found`);
  }

  /** 409: the action does not apply to a campaign in this state. */
  static invalidState(
    action: string,
    status: CampaignStatus,
    allowed: readonly CampaignStatus[],
  ): CampaignException {
    return new CampaignException(
      CampaignErrorCode.InvalidState,
      409,
      `cannot ${action} a campaign that is ${status}; it must be ${allowed.join(' or ')}`,
      [{ field: 'status', message: `is ${status}` }],
    );
  }

  /** 422: the campaign's content, audience or channel does not fit together. */
  static invalid(errors: FieldError[]): CampaignException {
    return new CampaignException(
      CampaignErrorCode.Invalid,
      422,
      `the campaign cannot be sent as it is: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      errors,
    );
  }

  static nothingToResend(id: string): CampaignException {
    return new CampaignException(
      CampaignErrorCode.NothingToResend,
      409,
      `campaign ${id} has no undelivered recipients to send to again`,
    );
  }
}
