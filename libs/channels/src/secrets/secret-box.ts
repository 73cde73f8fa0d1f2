import { Injectable } from '@nestjs/common';
import { AppConfig, SecretBox } from '@siyu/platform';

export { SecretBox };

/** The HKDF label of channel secrets (WeCom corp secrets, callback keys, OA app secrets). */
export const CHANNEL_SECRETS_LABEL = ['siyu-channels', 'channel-secrets-v1'] as const;

/** The app's SecretBox, keyed from configuration. */
@Injectable()
export class ChannelSecrets extends SecretBox {
  constructor(config: AppConfig) {
    super(config.channelSecretsKey, CHANNEL_SECRETS_LABEL);
  }
}

/** What an API answer shows of a secret: the last four characters of a long one (≥ 16), else nothing. */
export function maskSecret(secret: string | null | undefined): string | null {
  if (!secret) return null;
  const tail = secret.length >= 16 ? secret.slice(-4) : '';
  return `••••••${tail}`;
}
