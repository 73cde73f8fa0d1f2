import { DomainException } from '@siyu/platform';

export enum TierErrorCode {
  LadderNotConfigured = 'TIER_LADDER_NOT_CONFIGURED',
}

export class TierException extends DomainException {
  static ladderNotConfigured(): TierException {
    return new TierException(
      TierErrorCode.LadderNotConfigured,
      409,
      'The brand has no tier ladder yet: PUT /v1/tiers first',
    );
  }
}
