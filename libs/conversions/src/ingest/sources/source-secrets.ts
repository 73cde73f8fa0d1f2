import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@siyu/platform';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A new signing secret: 32 random bytes, base64url, with a prefix that says what it is. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Order-source signing secrets at rest, sealed as libs/channels seals WeCom secrets: AES-256-GCM
 * with a key derived (HKDF-SHA256) from the platform's CHANNEL_SECRETS_KEY under a label of its own,
 * and the row (brand, source, slot) as associated data, so a sealed value copied to another row
 * does not open. Format `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
@Injectable()
export class OrderSourceSecrets {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(
      hkdfSync('sha256', config.channelSecretsKey, 'siyu-orders', 'order-sources-v1', 32),
    );
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
  }

  /** Throws when the value was sealed with another key or context, or was tampered with. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined)
      throw new Error('not a sealed order-source secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** The associated data of a source's current or previous secret. */
export const secretContext = (brandId: string, sourceId: string, slot: 'current' | 'previous') =>
  `order_sources:${brandId}:${sourceId}:${slot}`;
