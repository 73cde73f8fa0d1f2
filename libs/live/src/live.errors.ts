import { DomainException, FieldError } from '@siyu/platform';
import type { LiveStatus } from './live.constants';

export enum LiveErrorCode {
  NotFound = 'LIVE_SESSION_NOT_FOUND',
  InvalidState = 'LIVE_SESSION_INVALID_STATE',
  Invalid = 'LIVE_SESSION_INVALID',
  MemberNotFound = 'MEMBER_NOT_FOUND',
}

export class LiveException extends DomainException {
  static notFound(id: string): LiveException {
    return new LiveException(LiveErrorCode.NotFound, 404, `live session ${id} was not found`);
  }

  static invalidState(action: string, state: LiveStatus, allowed: readonly LiveStatus[]): LiveException {
    return new LiveException(
      LiveErrorCode.InvalidState,
      409,
      `cannot ${action} a live session that is ${state}; it must be ${allowed.join(' or ')}`,
      [{ field: 'status', message: `is ${state}` }],
    );
  }

  /** 422: references (groups, segments, coupon template) that are not the brand's. */
  static invalid(errors: FieldError[]): LiveException {
    return new LiveException(
      LiveErrorCode.Invalid,
      422,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static memberNotFound(id: string): LiveException {
    return new LiveException(LiveErrorCode.MemberNotFound, 404, `member ${id} was not found`, [
      { field: 'memberId', message: `member ${id} was not found` },
    ]);
  }
}
