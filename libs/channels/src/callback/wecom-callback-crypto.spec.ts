import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sim from '../../../../apps/wecom-sim/src';
import {
  callbackAesKey,
  callbackSignature,
  checkCallbackSignature,
  decryptCallback,
  encryptCallback,
  unpad32,
} from './wecom-callback-crypto';

interface Vector {
  name: string;
  token: string;
  encoding_aes_key: string;
  receiveid: string;
  msg_signature?: string;
  timestamp: string;
  nonce: string;
  echostr?: string;
  echostr_plain?: string;
  encrypt?: string;
  plaintext?: string;
  random?: string;
  expected_encrypt?: string;
  expected_msg_signature?: string;
}

const fixture = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'wecom-callback-vectors.json'),
    'utf8',
  ),
) as { vectors: Vector[] };
const vector = (name: string) => {
  const v = fixture.vectors.find((x) => x.name === name);
  if (!v) throw new Error(`vector ${name} missing`);
  return v;
};

/** The last byte of the raw (still padded) plaintext: the PKCS#7 pad length. */
function padByte(encrypt: string, encodingAesKey: string): number {
  const key = callbackAesKey(encodingAesKey);
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  d.setAutoPadding(false);
  const raw = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
  return raw[raw.length - 1];
}

describe('WeCom callback crypto against the shared fixture vectors', () => {
  it('URL verification: the signature over the echostr checks, and the echostr decrypts', () => {
    const v = vector('wechatpy_check_signature');
    const echostr = v.echostr as string;
    expect(callbackSignature(v.token, v.timestamp, v.nonce, echostr)).toBe(v.msg_signature);
    expect(checkCallbackSignature(v.msg_signature, v.token, v.timestamp, v.nonce, echostr)).toBe(true);
    // The negative case the fixture names: one digit off in the nonce.
    expect(checkCallbackSignature(v.msg_signature, v.token, v.timestamp, '437374424', echostr)).toBe(false);
    expect(decryptCallback(echostr, v.encoding_aes_key)).toEqual({
      message: v.echostr_plain,
      receiveId: v.receiveid,
    });
  });

  it('decrypts a pushed message and checks its signature', () => {
    const v = vector('wechatpy_decrypt_message');
    const encrypt = v.encrypt as string;
    expect(checkCallbackSignature(v.msg_signature, v.token, v.timestamp, v.nonce, encrypt)).toBe(true);
    expect(checkCallbackSignature(v.msg_signature, 'wrong-token', v.timestamp, v.nonce, encrypt)).toBe(false);
    const out = decryptCallback(encrypt, v.encoding_aes_key);
    expect(out.message).toBe(v.plaintext);
    expect(out.receiveId).toBe(v.receiveid);
  });

  it('encrypts deterministically with a fixed random prefix, to the expected ciphertext and signature', () => {
    const v = vector('wechatpy_deterministic_encrypt');
    const encrypt = encryptCallback(
      v.plaintext as string,
      v.encoding_aes_key,
      v.receiveid,
      Buffer.from(v.random as string, 'utf8'),
    );
    expect(encrypt).toBe(v.expected_encrypt);
    expect(callbackSignature(v.token, v.timestamp, v.nonce, encrypt)).toBe(v.expected_msg_signature);
  });

  it("the fixture's vectors are padded by 7, 1 and 3 bytes (none exercises a pad over 16)", () => {
    const pads = fixture.vectors.map((v) =>
      padByte((v.echostr ?? v.encrypt ?? v.expected_encrypt) as string, v.encoding_aes_key),
    );
    expect(pads).toEqual([7, 1, 3]);
  });
});

describe('32-byte PKCS#7 padding (pads of 17 to 32 bytes)', () => {
  const key = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
  const corp = 'ww1234567890abcdef';
  /** A message whose plaintext (20 + msg + corp) leaves exactly `pad` bytes to the next 32. */
  const messageForPad = (pad: number) => {
    const fixed = 20 + corp.length;
    let len = 1;
    while ((fixed + len) % 32 !== (32 - pad) % 32) len++;
    return `<xml>${'x'.repeat(len)}`.slice(0, len);
  };

  it.each([17, 24, 30, 32])(
    'decrypts a message padded by %i bytes, which Node auto-padding rejects',
    (pad) => {
      const message = messageForPad(pad);
      const encrypt = sim.encryptMessage(message, key, corp);
      expect(padByte(encrypt, key)).toBe(pad);
      expect(decryptCallback(encrypt, key)).toEqual({ message, receiveId: corp });
      // Node's default unpadding only knows 16-byte blocks: it fails on these.
      const aes = callbackAesKey(key);
      const auto = createDecipheriv('aes-256-cbc', aes, aes.subarray(0, 16));
      expect(() => Buffer.concat([auto.update(Buffer.from(encrypt, 'base64')), auto.final()])).toThrow();
    },
  );

  it('rejects inconsistent or out-of-range pad bytes', () => {
    expect(() => unpad32(Buffer.from([1, 2, 3, 33]))).toThrow(/padding/);
    expect(() => unpad32(Buffer.from([1, 2, 3, 0]))).toThrow(/padding/);
    expect(() => unpad32(Buffer.concat([Buffer.alloc(10, 1), Buffer.from([2, 3, 3])]))).toThrow(/padding/);
    expect(unpad32(Buffer.from([9, 9, 2, 2]))).toEqual(Buffer.from([9, 9]));
  });

  it('rejects a ciphertext that decrypts to garbage (wrong key)', () => {
    const other = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const encrypt = sim.encryptMessage('<xml><A>1</A></xml>', key, corp);
    expect(() => decryptCallback(encrypt, other)).toThrow();
  });

  it('rejects a ciphertext that is not whole AES blocks', () => {
    expect(() => decryptCallback(Buffer.alloc(20).toString('base64'), key)).toThrow(/AES blocks/);
  });
});

describe('against the simulator as a second, independent implementation', () => {
  const key = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
  const corp = 'wwSiyuTestCorp';
  const messages = ['<xml><A>1</A></xml>', '', '中文事件 🎉'.repeat(7), 'x'.repeat(4096)];

  it.each(messages.map((m) => [m.length, m]))('round-trips a %i-char message both ways', (_len, message) => {
    const fromSim = sim.encryptMessage(message, key, corp);
    expect(decryptCallback(fromSim, key)).toEqual({ message, receiveId: corp });
    const fromUs = encryptCallback(message, key, corp);
    expect(sim.decryptMessage(fromUs, key)).toEqual({ message, receiveId: corp });
  });

  it('agrees on signatures', () => {
    const encrypt = sim.encryptMessage('<xml/>', key, corp);
    expect(callbackSignature('tok', '1700000000', 'n1', encrypt)).toBe(
      sim.computeSignature('tok', '1700000000', 'n1', encrypt),
    );
  });

  it('produces the same ciphertext as the simulator for the same random prefix', () => {
    const random = Buffer.from('0123456789abcdef');
    for (const message of messages) {
      const ours = encryptCallback(message, key, corp, random);
      expect(ours).toBe(sim.encryptMessage(message, key, corp, random));
    }
  });
});
