import { DomainException, FieldError } from '@siyu/platform';
import type { DrawState } from './draws.constants';

export enum DrawErrorCode {
  NotFound = 'DRAW_NOT_FOUND',
  InvalidState = 'DRAW_INVALID_STATE',
  NotOpen = 'DRAW_NOT_OPEN',
  Closed = 'DRAW_CLOSED',
  Invalid = 'DRAW_INVALID',
  NotEligible = 'DRAW_NOT_ELIGIBLE',
  EntryLimit = 'DRAW_ENTRY_LIMIT',
  MemberNotFound = 'MEMBER_NOT_FOUND',
  MemberInactive = 'MEMBER_NOT_ACTIVE',
}

export class DrawException extends DomainException {
  static notFound(id: string): DrawException {
    return new DrawException(DrawErrorCode.NotFound, 404, `draw ${id} was not found`);
  }

  static invalidState(action: string, state: DrawState, allowed: readonly DrawState[]): DrawException {
    return new DrawException(
      DrawErrorCode.InvalidState,
      409,
      `cannot ${action} a draw that is ${state}; it must be ${allowed.join(' or ')}`,
      [{ field: 'status', message: `is ${state}` }],
    );
  }

  static notOpen(startsAt: Date): DrawException {
    return new DrawException(DrawErrorCode.NotOpen, 409, `the draw opens at ${startsAt.toISOString()}`, [
      { field: 'startsAt', message: `opens at ${startsAt.toISOString()}` },
    ]);
  }

  static closed(): DrawException {
    return new DrawException(DrawErrorCode.Closed, 409, 'the draw is closed', [
      { field: 'endsAt', message: 'the draw is closed' },
    ]);
  }

  /** 422: the draw's references (templates, tiers, segment, groups) do not fit the brand. */
  static invalid(errors: FieldError[]): DrawException {
    return new DrawException(
      DrawErrorCode.Invalid,
      422,
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    );
  }

  static notEligible(errors: FieldError[]): DrawException {
    return new DrawException(
      DrawErrorCode.NotEligible,
      403,
      `the member may not enter this draw: ${errors.map((e) => e.message).join('; ')}`,
      errors,
    );
  }

  static limit(field: 'limitTotal' | 'limitPerDay', limit: number, localDay?: string): DrawException {
    const message =
      field === 'limitTotal'
        ? `the member has used all ${limit} entries of this draw`
        : `the member has used all ${limit} entries of ${localDay} (brand time); try again tomorrow`;
    return new DrawException(DrawErrorCode.EntryLimit, 409, message, [{ field, message }]);
  }

  static memberNotFound(id: string): DrawException {
    return new DrawException(DrawErrorCode.MemberNotFound, 404, `member ${id} was not found`, [
      { field: 'memberId', message: `member ${id} was not found` },
    ]);
  }

  static memberInactive(id: string, why: 'erased' | 'merged'): DrawException {
    return new DrawException(DrawErrorCode.MemberInactive, 409, `member ${id} is ${why}`, [
      { field: 'memberId', message: `member ${id} is ${why}` },
    ]);
  }
}
