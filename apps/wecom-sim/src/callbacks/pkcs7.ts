/** WeCom pads to 32-byte blocks (not AES's 16), so the pad byte runs from 1 to 32. */
export const WECOM_BLOCK_SIZE = 32;

export function pkcs7Pad(data: Buffer, blockSize = WECOM_BLOCK_SIZE): Buffer {
  const pad = blockSize - (data.length % blockSize);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

/** Strips and checks the padding; throws on a pad byte out of range or inconsistent pad bytes. */
export function pkcs7Unpad(data: Buffer, blockSize = WECOM_BLOCK_SIZE): Buffer {
  if (data.length === 0 || data.length % 16 !== 0) throw new Error('padded data has a bad length');
  const pad = data[data.length - 1];
  if (pad < 1 || pad > blockSize || pad > data.length) throw new Error('bad PKCS#7 padding');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new Error('bad PKCS#7 padding');
  }
  return data.subarray(0, data.length - pad);
}
