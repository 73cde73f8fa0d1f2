import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { hmacSha256Hex } from './click-recorder.service';

const reference = (secret: string, text: string): string =>
  createHmac('sha256', Buffer.from(secret, 'utf8')).update(text).digest('hex');

describe('hmacSha256Hex', () => {
  const secrets = [
    'dev-only-pii-secret-change-me',
    '',
    'k',
    'x'.repeat(64), // exactly one block
    'y'.repeat(65), // longer than a block: hashed first
    randomBytes(48).toString('base64'),
    'clé secrète ünïcödé 密钥', // non-ASCII key bytes: pads not ASCII, createHmac fallback
    '\u007f'.repeat(10), // 0x7f ^ 0x36 = 0x49, ^ 0x5c = 0x23
  ];
  const texts = [
    '198.51.100.7',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    '',
    randomUUID(),
    '地址 ünïcode \u{1F600}',
    '\ud800 lone surrogate',
    'z'.repeat(300),
  ];

  it('is HMAC-SHA256 in hex, digest for digest, for any secret and text', () => {
    for (const secret of secrets) {
      const hmac = hmacSha256Hex(secret);
      for (const text of texts) expect(hmac(text)).toBe(reference(secret, text));
      for (let i = 0; i < 200; i++) {
        const ip = `10.${i & 255}.${(i * 7) & 255}.${(i * 13) & 255}`;
        expect(hmac(ip)).toBe(reference(secret, ip));
      }
    }
  });

  it('answers the RFC 4231 test case 2 digest', () => {
    expect(hmacSha256Hex('Jefe')('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
