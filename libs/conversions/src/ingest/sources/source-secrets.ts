import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, SecretBox } from '@siyu/platform';

/** A new signing secret: 32 random bytes, base64url, with a prefix that says what it is. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * Order-source signing secrets at rest, sealed as libs/channels seals WeCom secrets (the platform's
 * SecretBox: AES-256-GCM) under a key label of their own, with the row (brand, source, slot) as
 * associated data, so a sealed value copied to another row does not open.
 */
@Injectable()
export class OrderSourceSecrets extends SecretBox {
  constructor(config: AppConfig) {
    super(config.channelSecretsKey, ['siyu-orders', 'order-sources-v1']);
  }
}

/** The associated data of a source's current or previous secret. */
export const secretContext = (brandId: string, sourceId: string, slot: 'current' | 'previous') =>
  `order_sources:${brandId}:${sourceId}:${slot}`;
