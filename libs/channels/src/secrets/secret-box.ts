import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@siyu/platform';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Channel secrets at rest: AES-256-GCM with a key derived (HKDF-SHA256) from CHANNEL_SECRETS_KEY.
 * The associated data binds a ciphertext to its brand, table and field, so a stored secret cannot
 * be copied to another brand's row and decrypt there. Format: `v1.<iv>.<tag>.<ciphertext>` (base64url);
 * the version prefix leaves room for key rotation.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'siyu-channels', 'channel-secrets-v1', 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was sealed with another key or context, or was tampered with. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined)
      throw new Error('not a sealed channel secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The app's SecretBox, keyed from configuration. */
@Injectable()
export class ChannelSecrets extends SecretBox {
  constructor(config: AppConfig) {
    super(config.channelSecretsKey);
  }
}

/** What an API answer shows of a secret: the last four characters of a long one (≥ 16), else nothing. */
export function maskSecret(secret: string | null | undefined): string | null {
  if (!secret) return null;
  const tail = secret.length >= 16 ? secret.slice(-4) : '';
  return `••••••${tail}`;
}
