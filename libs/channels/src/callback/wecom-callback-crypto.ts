import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeCom / WeChat callback crypto ("安全模式").
 *
 * - msg_signature = sha1 of the sorted strings [token, timestamp, nonce, encrypt] joined, in hex.
 * - AES-256-CBC, key = base64decode(EncodingAESKey + '='), IV = key[0..16).
 * - plaintext = 16 random bytes ‖ uint32 big-endian length of msg ‖ msg ‖ receiveid (the CorpID,
 *   or the OA's AppID), padded with PKCS#7 to a multiple of **32** bytes. The pad byte runs from
 *   1 to 32, so Node's automatic (16-byte) unpadding rejects any message padded by more than 16:
 *   the decipher runs with setAutoPadding(false) and the padding is checked and stripped here.
 */
export const WECOM_PAD_BLOCK = 32;

export class CallbackCryptoError extends Error {}

export function callbackAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey))
    throw new CallbackCryptoError('EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new CallbackCryptoError('EncodingAESKey must decode to 32 bytes');
  return key;
}

export function callbackSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

/** Constant-time comparison of a given msg_signature with the expected one. */
export function checkCallbackSignature(
  given: string | undefined,
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
): boolean {
  if (!given) return false;
  const expected = Buffer.from(callbackSignature(token, timestamp, nonce, encrypt), 'latin1');
  const actual = Buffer.from(given.toLowerCase(), 'latin1');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export function pad32(data: Buffer): Buffer {
  const n = WECOM_PAD_BLOCK - (data.length % WECOM_PAD_BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** Strips PKCS#7 padding of up to 32 bytes, checking every pad byte. */
export function unpad32(data: Buffer): Buffer {
  if (data.length === 0) throw new CallbackCryptoError('empty plaintext');
  const n = data[data.length - 1];
  if (n < 1 || n > WECOM_PAD_BLOCK || n > data.length) throw new CallbackCryptoError('bad padding');
  for (let i = data.length - n; i < data.length; i++) {
    if (data[i] !== n) throw new CallbackCryptoError('bad padding');
  }
  return data.subarray(0, data.length - n);
}

export interface CallbackPlaintext {
  message: string;
  receiveId: string;
}

export function decryptCallback(encrypt: string, encodingAesKey: string): CallbackPlaintext {
  const key = callbackAesKey(encodingAesKey);
  const cipherText = Buffer.from(encrypt, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0)
    throw new CallbackCryptoError('ciphertext is not a whole number of AES blocks');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = unpad32(Buffer.concat([decipher.update(cipherText), decipher.final()]));
  if (plain.length < 20) throw new CallbackCryptoError('plaintext is too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new CallbackCryptoError('message length is out of range');
  return {
    message: plain.subarray(20, 20 + length).toString('utf8'),
    receiveId: plain.subarray(20 + length).toString('utf8'),
  };
}

/** The inverse, for replies in safe mode and for tests; `random` is fixed only in tests. */
export function encryptCallback(
  message: string,
  encodingAesKey: string,
  receiveId: string,
  random: Buffer = randomBytes(16),
): string {
  if (random.length !== 16) throw new CallbackCryptoError('random prefix must be 16 bytes');
  const key = callbackAesKey(encodingAesKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pad32(Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
