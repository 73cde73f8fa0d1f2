import { randomUUID } from 'node:crypto';
import { deviceCookieHeader, newDeviceCookie } from './redirect.route';

describe('the device cookie', () => {
  it('is written from its parts byte for byte as the cookie package writes it, over http and https', () => {
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      expect(newDeviceCookie(id, false)).toBe(deviceCookieHeader(id, false));
      expect(newDeviceCookie(id, true)).toBe(deviceCookieHeader(id, true));
    }
    const id = randomUUID();
    expect(newDeviceCookie(id, false)).toBe(`sy_d=${id}; Max-Age=31536000; Path=/r/; HttpOnly; SameSite=Lax`);
    expect(newDeviceCookie(id, true)).toBe(
      `sy_d=${id}; Max-Age=31536000; Path=/r/; HttpOnly; Secure; SameSite=Lax`,
    );
  });
});
