import { createHmac } from 'node:crypto';
import {
  genericSignature,
  parseGenericSignatureHeader,
  shopifySignature,
  signaturesEqual,
  timestampFresh,
} from './webhook-signature';

describe('webhook signatures', () => {
  it('signs the timestamp and the exact body (generic, hex)', () => {
    const sig = genericSignature('s3cret', '1700000000', '{"a":1}');
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(genericSignature('s3cret', '1700000001', '{"a":1}')).not.toBe(sig);
    expect(genericSignature('s3cret', '1700000000', '{"a": 1}')).not.toBe(sig);
    expect(genericSignature('other', '1700000000', '{"a":1}')).not.toBe(sig);
  });

  it('matches Shopify’s documented construction (base64 of HMAC-SHA256 over the body)', () => {
    const expected = createHmac('sha256', 'hush')
      .update(Buffer.from('{"id":820982911946154508}'))
      .digest('base64');
    expect(shopifySignature('hush', '{"id":820982911946154508}')).toBe(expected);
  });

  it('compares in constant time and refuses other lengths', () => {
    expect(signaturesEqual('abc', 'abc')).toBe(true);
    expect(signaturesEqual('abc', 'abd')).toBe(false);
    expect(signaturesEqual('abc', 'abcd')).toBe(false);
  });

  it('reads sha256=<hex> or bare hex only', () => {
    const hex = 'a'.repeat(64);
    expect(parseGenericSignatureHeader(`sha256=${hex}`)).toBe(hex);
    expect(parseGenericSignatureHeader(hex.toUpperCase())).toBe(hex);
    expect(parseGenericSignatureHeader('sha256=xyz')).toBeNull();
    expect(parseGenericSignatureHeader(undefined)).toBeNull();
  });

  it('accepts timestamps within five minutes either way', () => {
    const now = 1_700_000_000_000;
    expect(timestampFresh('1700000000', now)).toBe(true);
    expect(timestampFresh(String(1_700_000_000 - 300), now)).toBe(true);
    expect(timestampFresh(String(1_700_000_000 - 301), now)).toBe(false);
    expect(timestampFresh(String(1_700_000_000 + 301), now)).toBe(false);
    expect(timestampFresh('17e8', now)).toBe(false);
    expect(timestampFresh(undefined, now)).toBe(false);
  });
});
