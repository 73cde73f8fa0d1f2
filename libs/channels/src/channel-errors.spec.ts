import { classifyErrcode } from './channel-errors';
import { outcomeForStatus } from './adapters/wecom-broadcast.adapter';
import { pollBackoffMs } from './adapters/channel-adapter';

describe('error classification', () => {
  const now = 1_700_000_000_000;
  const classOf = (code: number) => classifyErrcode('x', code, 'm', 60_000, now).class;

  it.each([
    [-1, 'retryable'],
    [45033, 'retryable'],
    [40014, 'retryable'],
    [42001, 'retryable'],
    [45009, 'rate_limited'],
    [45011, 'rate_limited'],
    [41063, 'not_ready'],
    [60011, 'permanent'],
    [60020, 'permanent'],
    [48002, 'permanent'],
    [40003, 'permanent'],
    [40096, 'permanent'],
    [84061, 'permanent'],
    [40050, 'permanent'],
    [45002, 'permanent'],
    [43004, 'permanent'],
    [43101, 'permanent'],
    [99999, 'permanent'],
  ])('%i is %s', (code, cls) => expect(classOf(code)).toBe(cls));

  it('rate-limited failures wait for the rest of the window, and keep the code and message', () => {
    expect(
      classifyErrcode('externalcontact/add_msg_template', 45009, 'api freq out of limit', 60_000, now),
    ).toEqual({
      class: 'rate_limited',
      errcode: 45009,
      errmsg: 'api freq out of limit',
      api: 'externalcontact/add_msg_template',
      retryAt: new Date(now + 60_000),
    });
  });

  it('maps WeCom per-recipient statuses', () => {
    expect([0, 1, 2, 3, 9].map(outcomeForStatus)).toEqual([
      { status: 'pending' },
      { status: 'sent' },
      { status: 'rejected', reason: 'not_friend' },
      { status: 'rejected', reason: 'limit_reached' },
      { status: 'rejected', reason: 'status_9' },
    ]);
  });

  it('polls with a backoff that grows and is capped', () => {
    for (let i = 0; i < 50; i++) {
      expect(pollBackoffMs(0)).toBeGreaterThanOrEqual(500);
      expect(pollBackoffMs(0)).toBeLessThanOrEqual(1_000);
      expect(pollBackoffMs(4)).toBeGreaterThanOrEqual(8_000);
      expect(pollBackoffMs(20)).toBeLessThanOrEqual(60_000);
    }
  });
});
