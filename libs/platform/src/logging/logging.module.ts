import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Global, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/**
 * Personal data never reaches a log line: these paths are censored wherever they appear in a
 * logged object (request headers, error payloads, job data).
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-siyu-signature"]',
  ...[
    'password',
    'phone',
    'mobile',
    'email',
    'name',
    'nickname',
    'realName',
    'address',
    'refreshToken',
    'accessToken',
    'secret',
    'token',
  ].flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
];

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The request id: a caller's well-formed `x-request-id`, else a fresh UUID. Also the traceId. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

@Global()
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Short-link redirects are the hot path: counted in link_clicks and metrics, not logged one by one.
        exclude: [{ method: RequestMethod.GET, path: 'r/:code' }],
        pinoHttp: {
          level: config.get('LOG_LEVEL'),
          genReqId: (req: IncomingMessage) =>
            String((req as IncomingMessage & { id?: string }).id ?? requestId(req)),
          customProps: (req: IncomingMessage) => ({
            brandId: (req as IncomingMessage & { principal?: { brandId?: string } }).principal?.brandId,
          }),
          redact: { paths: REDACT_PATHS, censor: '[redacted]' },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
          },
          customLogLevel: (_req: unknown, res: { statusCode: number }, err?: unknown) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
        },
      }),
    }),
  ],
})
export class PlatformLoggingModule {}
