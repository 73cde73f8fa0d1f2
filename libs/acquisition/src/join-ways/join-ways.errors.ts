import { describeConstraint, DomainException, FieldError, ValidationException } from '@siyu/platform';

export enum JoinWayErrorCode {
  NotFound = 'JOIN_WAY_NOT_FOUND',
  StateTaken = 'JOIN_WAY_STATE_TAKEN',
}

export class JoinWayException extends DomainException {
  static notFound(id: string): JoinWayException {
    return new JoinWayException(JoinWayErrorCode.NotFound, 404, `join way ${id} was not found`);
  }

  static invalid(errors: FieldError[]): ValidationException {
    return new ValidationException(errors);
  }
}

describeConstraint(
  'acquisition_join_ways_state_key',
  JoinWayErrorCode.StateTaken,
  'Another join way of the brand uses this state',
  'state',
);
