import { CHANNEL_SECRETS_LABEL, maskSecret, SecretBox } from './secret-box';

describe('SecretBox (AES-256-GCM for channel secrets)', () => {
  const box = new SecretBox('k'.repeat(32), CHANNEL_SECRETS_LABEL);

  it('round-trips, with a fresh IV each time', () => {
    const a = box.seal('corp-secret', 'ctx');
    const b = box.seal('corp-secret', 'ctx');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(a).not.toContain('corp-secret');
    expect(box.open(a, 'ctx')).toBe('corp-secret');
    expect(box.open(box.seal('', 'ctx'), 'ctx')).toBe('');
  });

  it('refuses another context (brand, field), another key and any tampering', () => {
    const sealed = box.seal('corp-secret', 'channel_wecom_accounts:brand-a:contactSecret');
    expect(() => box.open(sealed, 'channel_wecom_accounts:brand-b:contactSecret')).toThrow();
    expect(() =>
      new SecretBox('o'.repeat(32), CHANNEL_SECRETS_LABEL).open(
        sealed,
        'channel_wecom_accounts:brand-a:contactSecret',
      ),
    ).toThrow();
    const [v, iv, tag, ct] = sealed.split('.');
    const flipped = `${ct[0] === 'A' ? 'B' : 'A'}${ct.slice(1)}`;
    expect(() =>
      box.open([v, iv, tag, flipped].join('.'), 'channel_wecom_accounts:brand-a:contactSecret'),
    ).toThrow();
    expect(() => box.open('plain-text', 'x')).toThrow(/not a sealed/);
  });

  it('masks: the last four characters of long secrets only', () => {
    expect(maskSecret('0123456789abcdefWXYZ')).toBe('••••••WXYZ');
    expect(maskSecret('short-token')).toBe('••••••');
    expect(maskSecret('')).toBeNull();
  });
});
