import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from './logging.module';

describe('log redaction', () => {
  it('censors phones, emails, names and credentials at any common depth', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
    log.info({
      phone: '+8613812345678',
      member: { nickname: '小红', phone: '13812345678', city: 'Shanghai' },
      job: { data: { member: { email: 'a@b.cn', name: '张三' } } },
      req: { headers: { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'sk_123' } },
    });
    const out = lines.join('');
    for (const secret of ['13812345678', '小红', 'a@b.cn', '张三', 'abc.def.ghi', 'sk_123'])
      expect(out).not.toContain(secret);
    expect(out).toContain('Shanghai');
    expect(out).toContain('[redacted]');
  });
});
