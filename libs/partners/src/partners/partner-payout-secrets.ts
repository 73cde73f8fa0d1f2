import { Injectable } from '@nestjs/common';
import { AppConfig, SecretBox } from '@siyu/platform';

/**
 * Partners' payout details at rest: the platform's SecretBox (AES-256-GCM) under a key label of
 * their own, with the row (brand, partner) as associated data, so a sealed value copied to another
 * partner does not open.
 */
@Injectable()
export class PartnerPayoutSecrets extends SecretBox {
  constructor(config: AppConfig) {
    super(config.channelSecretsKey, ['siyu-partners', 'partner-payouts-v1']);
  }
}

export const payoutContext = (brandId: string, partnerId: string) =>
  `partners:${brandId}:${partnerId}:payout`;

/** `alipay ••••1234`: the method and the account's last four characters. */
export function payoutHint(method: string, account: string): string {
  const compact = account.replace(/\s+/g, '');
  return `${method} ••••${compact.slice(-4)}`;
}
