import { Injectable } from '@nestjs/common';
import { AppConfig, SecretBox } from '@siyu/platform';

/** Seals churn webhook signing secrets at rest (its own HKDF label). */
@Injectable()
export class ChurnSecrets extends SecretBox {
  constructor(config: AppConfig) {
    super(config.channelSecretsKey, ['siyu-acquisition', 'churn-webhook-v1']);
  }
}
