import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  DEV_CHANNEL_SECRETS_KEY,
  DEV_JWT_SECRET,
  DEV_PII_HMAC_SECRET,
  EnvironmentVariables,
  validateEnvironment,
} from './environment';

/** Typed, validated access to configuration. The only place that reads `process.env`. */
@Injectable()
export class AppConfig {
  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {}

  get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return this.config.get(key, { infer: true });
  }

  get jwtSecret(): string {
    return this.get('JWT_SECRET') ?? DEV_JWT_SECRET;
  }

  get piiHmacSecret(): string {
    return this.get('PII_HMAC_SECRET') ?? DEV_PII_HMAC_SECRET;
  }

  get channelSecretsKey(): string {
    return this.get('CHANNEL_SECRETS_KEY') ?? DEV_CHANNEL_SECRETS_KEY;
  }

  get isTest(): boolean {
    return this.get('NODE_ENV') === 'test';
  }
}

/** For entry points that run outside Nest (TypeORM CLI, migrations, benches). */
export function loadEnvironment(): EnvironmentVariables {
  return validateEnvironment(process.env);
}

/** Reads a raw variable that is not part of the app's configuration (test harness, benches). */
export function readRawEnv(name: string): string | undefined {
  return process.env[name];
}

export function setRawEnv(name: string, value: string): void {
  process.env[name] = value;
}
