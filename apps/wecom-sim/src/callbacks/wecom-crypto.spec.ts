import { createCipheriv, createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  aesKeyFrom,
  computeSignature,
  decryptMessage,
  encryptMessage,
  verifySignature,
} from './wecom-crypto';

interface Vector {
  name: string;
  token: string;
  encoding_aes_key: string;
  receiveid: string;
  timestamp: string;
  nonce: string;
  msg_signature?: string;
  echostr?: string;
  echostr_plain?: string;
  encrypt?: string;
  plaintext?: string;
  random?: string;
  expected_encrypt?: string;
  expected_msg_signature?: string;
}

// apps/wecom-sim/src/callbacks → the repository's parent holds shared/ (e.g. /work/shared).
const FIXTURE = join(__dirname, '../../../../test/fixtures/wecom-callback-vectors.json');
const vectors = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { vectors: Vector[] }).vectors;
const vector = (name: string): Vector => {
  const v = vectors.find((x) => x.name === name);
  if (!v) throw new Error(`fixture has no vector ${name}`);
  return v;
};

describe('WeCom callback crypto against the published vectors', () => {
  it('checks the URL-verification signature and decrypts echostr', () => {
    const v = vector('wechatpy_check_signature');
    expect(verifySignature(v.msg_signature!, v.token, v.timestamp, v.nonce, v.echostr!)).toBe(true);
    expect(computeSignature(v.token, v.timestamp, v.nonce, v.echostr!)).toBe(v.msg_signature);
    expect(decryptMessage(v.echostr!, v.encoding_aes_key)).toEqual({
      message: v.echostr_plain,
      receiveId: v.receiveid,
    });
  });

  it('rejects the signature when the nonce differs (the fixture negative case)', () => {
    const v = vector('wechatpy_check_signature');
    expect(verifySignature(v.msg_signature!, v.token, v.timestamp, '437374424', v.echostr!)).toBe(false);
    expect(verifySignature('0'.repeat(40), v.token, v.timestamp, v.nonce, v.echostr!)).toBe(false);
    expect(verifySignature('short', v.token, v.timestamp, v.nonce, v.echostr!)).toBe(false);
  });

  it('verifies and decrypts a pushed message', () => {
    const v = vector('wechatpy_decrypt_message');
    expect(verifySignature(v.msg_signature!, v.token, v.timestamp, v.nonce, v.encrypt!)).toBe(true);
    expect(decryptMessage(v.encrypt!, v.encoding_aes_key)).toEqual({
      message: v.plaintext,
      receiveId: v.receiveid,
    });
  });

  it('encrypts byte-for-byte like WeCom given the same random prefix, and signs it', () => {
    const v = vector('wechatpy_deterministic_encrypt');
    const encrypt = encryptMessage(
      v.plaintext!,
      v.encoding_aes_key,
      v.receiveid,
      Buffer.from(v.random!, 'utf8'),
    );
    expect(encrypt).toBe(v.expected_encrypt);
    expect(computeSignature(v.token, v.timestamp, v.nonce, encrypt)).toBe(v.expected_msg_signature);
  });

  it('pads to 32-byte blocks, so a pad byte can exceed 16 (which 16-byte AES unpadding would reject)', () => {
    const v = vector('wechatpy_deterministic_encrypt');
    const key = aesKeyFrom(v.encoding_aes_key);
    // 16 random + 4 length + 3 message + 18 receiveid = 41 bytes → 23 bytes of padding to 64.
    const encrypt = encryptMessage('abc', v.encoding_aes_key, v.receiveid, Buffer.from(v.random!, 'utf8'));
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
    expect(plain.length).toBe(64);
    expect([...plain.subarray(41)]).toEqual(new Array(23).fill(23));
    expect(decryptMessage(encrypt, v.encoding_aes_key)).toEqual({ message: 'abc', receiveId: v.receiveid });
  });
});

describe('encrypt → decrypt round trip', () => {
  const key = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';

  it('returns any message and receiveid unchanged, with every ciphertext a whole number of 32-byte blocks', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (message, receiveId) => {
          const encrypt = encryptMessage(message, key, receiveId);
          expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
          expect(decryptMessage(encrypt, key)).toEqual({ message, receiveId });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses a fresh random prefix each time', () => {
    expect(encryptMessage('<xml/>', key, 'corp')).not.toBe(encryptMessage('<xml/>', key, 'corp'));
  });

  it('fails on a different key, a truncated ciphertext or a forged padding', () => {
    const encrypt = encryptMessage('<xml>hello</xml>', key, 'corp');
    const other = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    expect(() => {
      const out = decryptMessage(encrypt, other);
      if (out.receiveId !== 'corp') throw new Error('wrong receiveid');
    }).toThrow();
    expect(() =>
      decryptMessage(Buffer.from(encrypt, 'base64').subarray(0, 40).toString('base64'), key),
    ).toThrow();

    // A block whose last byte claims 33 bytes of padding.
    const k = aesKeyFrom(key);
    const c = createCipheriv('aes-256-cbc', k, k.subarray(0, 16));
    c.setAutoPadding(false);
    const forged = Buffer.concat([c.update(Buffer.alloc(64, 33)), c.final()]).toString('base64');
    expect(() => decryptMessage(forged, key)).toThrow(/padding/);
  });

  it('refuses an EncodingAESKey that is not 43 characters', () => {
    expect(() => encryptMessage('x', 'short', 'corp')).toThrow(/43/);
  });
});
