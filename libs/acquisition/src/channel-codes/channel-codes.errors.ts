import { DomainException } from '@siyu/platform';

export enum ChannelCodeErrorCode {
  NotFound = 'CHANNEL_CODE_NOT_FOUND',
  StateTaken = 'CHANNEL_CODE_STATE_TAKEN',
  InvalidState = 'CHANNEL_CODE_INVALID_STATE',
}

export class ChannelCodeException extends DomainException {
  static notFound(id: string): ChannelCodeException {
    return new ChannelCodeException(ChannelCodeErrorCode.NotFound, 404, `channel code ${id} was not found`);
  }

  static stateTaken(state: string): ChannelCodeException {
    return new ChannelCodeException(
      ChannelCodeErrorCode.StateTaken,
      409,
      `another channel code of this brand already uses state ${state}`,
      [{ field: 'state', message: `state ${state} is taken` }],
    );
  }

  static invalidState(action: string, status: string): ChannelCodeException {
    return new ChannelCodeException(
      ChannelCodeErrorCode.InvalidState,
      409,
      `cannot ${action} a channel code that is ${status}`,
      [{ field: 'status', message: `is ${status}` }],
    );
  }
}
