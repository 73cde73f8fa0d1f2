import { plainToInstance, Transform } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

/**
 * Every setting Siyu reads from the environment. The defaults reach this machine's Postgres and
 * Redis so a clean clone runs without a `.env`; `.env.example` documents each one.
 */
export class EnvironmentVariables {
  @IsIn(['development', 'test', 'production'])
  NODE_ENV: 'development' | 'test' | 'production' = 'development';

  @IsString()
  HOST = '0.0.0.0';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/siyu';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, _ and - only' })
  QUEUE_PREFIX = 'siyu';

  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.JWT_SECRET !== undefined)
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(86_400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(300)
  REFRESH_TTL_SECONDS = 30 * 86_400;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_ACCOUNT = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_FAILURES_PER_IP = 50;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_FAILURE_WINDOW_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES = 1_048_576;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  RECONCILE_INTERVAL_MS = 60_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RECONCILE_STALE_AFTER_MS = 120_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  WORKER_CONCURRENCY = 16;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  /** Key of the HMAC that makes personal identifiers (phone numbers) matchable without storing them readable. */
  @ValidateIf(
    (env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.PII_HMAC_SECRET !== undefined,
  )
  @IsString()
  @MinLength(32, { message: 'PII_HMAC_SECRET must be at least 32 characters' })
  PII_HMAC_SECRET?: string;

  /** Largest member CSV an upload may carry. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  MEMBER_IMPORT_MAX_BYTES = 256 * 1_048_576;

  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'WECOM_BASE_URL must be an http(s) URL' })
  WECOM_BASE_URL = 'http://127.0.0.1:3900';

  /** Base URL of the WeChat Official Account API (api.weixin.qq.com in production; wecom-sim locally). */
  @IsOptional()
  @Matches(/^https?:\/\/.+/, { message: 'WECHAT_BASE_URL must be an http(s) URL' })
  WECHAT_BASE_URL = 'http://127.0.0.1:3900';

  /** Key (≥ 32 characters) that encrypts channel secrets at rest (AES-256-GCM via HKDF-SHA256). */
  @ValidateIf(
    (env: EnvironmentVariables) => env.NODE_ENV === 'production' || env.CHANNEL_SECRETS_KEY !== undefined,
  )
  @IsString()
  @MinLength(32, { message: 'CHANNEL_SECRETS_KEY must be at least 32 characters' })
  CHANNEL_SECRETS_KEY?: string;

  /** Timeout of one call to the WeCom / WeChat APIs. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(120_000)
  CHANNEL_HTTP_TIMEOUT_MS = 10_000;

  /** Calls per second one WeCom corp may make (add_msg_template and the other broadcast APIs), across all workers. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CHANNEL_WECOM_CALLS_PER_SECOND = 20;

  /** Messages per second one Official Account may send, across all workers. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  CHANNEL_OA_SENDS_PER_SECOND = 5_000;

  /** How long a campaign worker holds the delivery rows it claimed before another may take them over. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  CAMPAIGN_SEND_LEASE_MS = 60_000;

  /** Attempts a delivery gets for transient failures before it is failed with `retries_exhausted`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  CAMPAIGN_MAX_ATTEMPTS = 8;

  /** While quiet hours hold a campaign, how often it looks again (a changed quiet-hours setting applies then). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CAMPAIGN_HOLD_RECHECK_MS = 60_000;

  /** How long a WeCom broadcast task may wait for staff to confirm before its unsent recipients are failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  CAMPAIGN_TASK_DEADLINE_MS = 24 * 3_600_000;

  /** WeCom broadcasts one customer or group may receive per China natural day (WeCom's own limit; status 3 beyond it). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  WECOM_BROADCASTS_PER_RECIPIENT_PER_DAY = 4;

  /** How often GET /v1/campaigns/:id/progress/stream looks for changes. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CAMPAIGN_PROGRESS_INTERVAL_MS = 1_000;

  /** Concurrent campaign chunk jobs per worker process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  CAMPAIGN_WORKER_CONCURRENCY = 8;

  /**
   * How often every brand's WeCom groups are synced in full (callbacks keep them current between
   * runs), in ms. Default 6 hours.
   */
  @Transform(toInt)
  @IsInt()
  @Min(60_000)
  COMMUNITY_SYNC_EVERY_MS = 21_600_000;

  /** How long an account pauses after the server answers 45009 (its rate window), in ms. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  CHANNEL_RATE_LIMIT_BACKOFF_MS = 60_000;

  /** Public base URL of the short links Siyu renders (`<base>/r/<code>`): the API's address as customers reach it. */
  @Matches(/^https?:\/\/[^/]+$/, { message: 'LINKS_BASE_URL must be an http(s) origin without a path' })
  LINKS_BASE_URL = 'http://127.0.0.1:3000';

  /** How long the redirect waits for Postgres on a cache miss before it gives up (slow or down). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(10_000)
  LINK_LOOKUP_TIMEOUT_MS = 300;

  /**
   * A listener of its own for `GET /r/:code` (short links on their own domain or port): a plain
   * Fastify server in the API process, without the API's hooks and middleware. 0: none, the
   * redirect is served on PORT only (it always is served there too).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  REDIRECT_PORT = 0;

  /** How often the worker drains logged clicks from Redis into link_clicks. */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  CLICK_DRAIN_INTERVAL_MS = 1_000;
}

/** Development-only signing secret; production refuses to start without JWT_SECRET. */
export const DEV_JWT_SECRET = 'siyu-development-secret-do-not-use-in-production';

/** Development-only PII HMAC key; production refuses to start without PII_HMAC_SECRET. */
export const DEV_PII_HMAC_SECRET = 'siyu-development-pii-key-do-not-use-in-production';

/** Development-only channel secrets key; production refuses to start without CHANNEL_SECRETS_KEY. */
export const DEV_CHANNEL_SECRETS_KEY = 'siyu-development-channel-key-do-not-use-in-production';

export class ConfigValidationError extends Error {}

export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const relevant: Record<string, unknown> = {};
  for (const key of [...known, 'JWT_SECRET', 'PII_HMAC_SECRET', 'CHANNEL_SECRETS_KEY']) {
    const value = raw[key];
    if (value !== undefined && value !== '') relevant[key] = value;
  }
  const env = plainToInstance(EnvironmentVariables, relevant);
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `  ${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new ConfigValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}
