import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { pkcs7Pad, pkcs7Unpad } from './pkcs7';

/**
 * WeCom / WeChat callback crypto ("安全模式"): AES-256-CBC with key = base64(EncodingAESKey + '='),
 * IV = key[0..16), plaintext = 16 random bytes || uint32be(len(msg)) || msg || receiveid, PKCS#7
 * padded to 32 bytes; msg_signature = sha1(sorted([token, timestamp, nonce, encrypt]).join('')).
 */
export function aesKeyFrom(encodingAESKey: string): Buffer {
  if (encodingAESKey.length !== 43) throw new Error('EncodingAESKey must be 43 characters');
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey does not decode to 32 bytes');
  return key;
}

export function encryptMessage(
  message: string,
  encodingAESKey: string,
  receiveId: string,
  random: Buffer = randomBytes(16),
): string {
  if (random.length !== 16) throw new Error('random prefix must be 16 bytes');
  const key = aesKeyFrom(encodingAESKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}

export interface DecryptedMessage {
  message: string;
  receiveId: string;
}

export function decryptMessage(encrypt: string, encodingAESKey: string): DecryptedMessage {
  const key = aesKeyFrom(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const plain = pkcs7Unpad(
    Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()]),
  );
  if (plain.length < 20) throw new Error('decrypted message is too short');
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new Error('decrypted message length is out of range');
  return {
    message: plain.subarray(20, 20 + length).toString('utf8'),
    receiveId: plain.subarray(20 + length).toString('utf8'),
  };
}

export function computeSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

export function verifySignature(
  signature: string,
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
): boolean {
  const expected = Buffer.from(computeSignature(token, timestamp, nonce, encrypt), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
