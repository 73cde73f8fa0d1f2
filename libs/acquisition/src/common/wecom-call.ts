import { ChannelFailure, ChannelResult } from '@siyu/channels';
import { DomainException } from '@siyu/platform';

/**
 * A WeCom call that failed, for every acquisition feature: 502 `WECOM_CALL_REFUSED` naming the API
 * and errcode when WeCom refused, 503 `WECOM_UNAVAILABLE` when the failure is worth retrying.
 * Callers make the WeCom call before changing anything in Siyu, so nothing was changed.
 */
export class WecomWayException extends DomainException {
  constructor(readonly failure: ChannelFailure) {
    super(
      failure.class === 'permanent' ? 'WECOM_CALL_REFUSED' : 'WECOM_UNAVAILABLE',
      failure.class === 'permanent' ? 502 : 503,
      `WeCom ${failure.api} failed: ${failure.errcode ?? ''} ${failure.errmsg}`.trim(),
    );
  }
}

/** The call's value, or its failure as a WecomWayException. */
export function wecomValue<T>(res: ChannelResult<T>): T {
  if (!res.ok) throw new WecomWayException(res.failure);
  return res.value;
}
