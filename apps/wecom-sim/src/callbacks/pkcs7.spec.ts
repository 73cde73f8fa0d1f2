import { pkcs7Pad, pkcs7Unpad, WECOM_BLOCK_SIZE } from './pkcs7';

describe('PKCS#7 with 32-byte blocks', () => {
  it.each([
    [0, 32],
    [1, 31],
    [16, 16],
    [31, 1],
    [32, 32],
    [33, 31],
    [100, 28],
  ])('pads %i bytes with %i bytes of that value', (length, pad) => {
    const padded = pkcs7Pad(Buffer.alloc(length, 7));
    expect(padded.length % WECOM_BLOCK_SIZE).toBe(0);
    expect(padded.length).toBe(length + pad);
    expect([...padded.subarray(length)]).toEqual(new Array(pad).fill(pad));
    expect(pkcs7Unpad(padded).equals(Buffer.alloc(length, 7))).toBe(true);
  });

  it('rejects padding bytes that disagree, a zero or oversize pad byte, and bad lengths', () => {
    const good = pkcs7Pad(Buffer.from('hello'));
    const disagree = Buffer.from(good);
    disagree[disagree.length - 2] = 1;
    expect(() => pkcs7Unpad(disagree)).toThrow(/padding/);
    expect(() => pkcs7Unpad(Buffer.alloc(32, 0))).toThrow(/padding/);
    expect(() => pkcs7Unpad(Buffer.alloc(64, 33))).toThrow(/padding/);
    expect(() => pkcs7Unpad(Buffer.alloc(0))).toThrow(/length/);
    expect(() => pkcs7Unpad(Buffer.alloc(20, 4))).toThrow(/length/);
  });

  it('accepts the 17–32 pad values AES-16 unpadding would refuse', () => {
    const data = Buffer.alloc(5, 1);
    const padded = pkcs7Pad(data);
    expect(padded[padded.length - 1]).toBe(27);
    expect(pkcs7Unpad(padded).equals(data)).toBe(true);
  });
});
