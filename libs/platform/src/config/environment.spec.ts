import { ConfigValidationError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('gives working defaults for this machine with an empty environment', () => {
    const env = validateEnvironment({});
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/siyu');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.PORT).toBe(3000);
  });

  it('converts numbers from strings', () => {
    expect(validateEnvironment({ PORT: '8080', WORKER_CONCURRENCY: '4' })).toMatchObject({
      PORT: 8080,
      WORKER_CONCURRENCY: 4,
    });
  });

  it('refuses a bad value with a message naming the variable', () => {
    expect(() => validateEnvironment({ PORT: 'eighty' })).toThrow(ConfigValidationError);
    expect(() => validateEnvironment({ PORT: 'eighty' })).toThrow(/PORT="eighty"/);
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => validateEnvironment({ QUEUE_PREFIX: 'a:b' })).toThrow(/QUEUE_PREFIX/);
  });

  it('requires strong JWT_SECRET and PII_HMAC_SECRET in production only', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    const secrets = {
      JWT_SECRET: 'x'.repeat(32),
      PII_HMAC_SECRET: 'y'.repeat(32),
      CHANNEL_SECRETS_KEY: 'z'.repeat(32),
    };
    expect(validateEnvironment({ NODE_ENV: 'production', ...secrets }).JWT_SECRET).toHaveLength(32);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: secrets.JWT_SECRET })).toThrow(
      /PII_HMAC_SECRET/,
    );
  });

  it('requires CHANNEL_SECRETS_KEY in production, and checks its length wherever it is given', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), PII_HMAC_SECRET: 'y'.repeat(32) };
    expect(() => validateEnvironment(base)).toThrow(/CHANNEL_SECRETS_KEY/);
    expect(() => validateEnvironment({ ...base, CHANNEL_SECRETS_KEY: 'short' })).toThrow(/at least 32/);
    expect(() => validateEnvironment({ CHANNEL_SECRETS_KEY: 'short' })).toThrow(/CHANNEL_SECRETS_KEY/);
    expect(validateEnvironment({}).CHANNEL_SECRETS_KEY).toBeUndefined();
    expect(() => validateEnvironment({ WECHAT_BASE_URL: 'ftp://x' })).toThrow(/WECHAT_BASE_URL/);
  });
});
