import { DomainException, FieldError, ValidationException } from '@siyu/platform';

export enum ReferralErrorCode {
  CampaignNotFound = 'REFERRAL_CAMPAIGN_NOT_FOUND',
  CampaignEnded = 'REFERRAL_CAMPAIGN_ENDED',
  InviteNotFound = 'REFERRAL_INVITE_NOT_FOUND',
  MemberNotFound = 'MEMBER_NOT_FOUND',
}

export class ReferralException extends DomainException {
  static campaignNotFound(id: string): ReferralException {
    return new ReferralException(
      ReferralErrorCode.CampaignNotFound,
      404,
      `referral campaign ${id} was not found`,
    );
  }

  static campaignEnded(id: string): ReferralException {
    return new ReferralException(ReferralErrorCode.CampaignEnded, 409, `referral campaign ${id} has ended`, [
      { field: 'status', message: 'is ended' },
    ]);
  }

  static inviteNotFound(code: string): ReferralException {
    return new ReferralException(
      ReferralErrorCode.InviteNotFound,
      404,
      `referral invite ${code} was not found`,
    );
  }

  static memberNotFound(id: string): ReferralException {
    return new ReferralException(ReferralErrorCode.MemberNotFound, 404, `member ${id} was not found`, [
      { field: 'memberId', message: 'not a member of this brand' },
    ]);
  }

  static invalid(errors: FieldError[]): ValidationException {
    return new ValidationException(errors);
  }
}
