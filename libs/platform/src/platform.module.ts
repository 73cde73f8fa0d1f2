import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { JwtModule } from '@nestjs/jwt';
import { TerminusModule } from '@nestjs/terminus';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { ApiKeysController } from './auth/api-keys.controller';
import { ApiKeysService } from './auth/api-keys.service';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { AuthService } from './auth/auth.service';
import { LoginLimiter } from './auth/login-limiter';
import { OperatorsController } from './auth/operators.controller';
import { OperatorsService } from './auth/operators.service';
import { AppConfig } from './config/app-config';
import { PlatformConfigModule } from './config/config.module';
import { AfterCommit } from './database/after-commit';
import { PlatformDatabaseModule } from './database/database.module';
import { ProblemFilter } from './errors/problem.filter';
import { HealthController } from './health/health.controller';
import { PlatformLoggingModule } from './logging/logging.module';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics';
import { MaintenanceProcessor, ReconcileScheduler } from './queue/maintenance.processor';
import { PlatformQueueModule } from './queue/queue.module';
import { PlatformRedisModule } from './redis/redis.module';
import { BrandsController } from './tenancy/brands.controller';
import { BrandsService } from './tenancy/brands.service';

const services = [
  AuditService,
  BrandsService,
  AuthService,
  LoginLimiter,
  ApiKeysService,
  OperatorsService,
  AfterCommit,
];

/** Config, logging, Postgres, Redis, queues, tenancy, auth and audit: what every process needs. */
@Global()
@Module({
  imports: [
    PlatformConfigModule,
    PlatformLoggingModule,
    PlatformDatabaseModule,
    PlatformRedisModule,
    PlatformQueueModule.forRoot(),
    EventEmitterModule.forRoot({ wildcard: false }),
    JwtModule.registerAsync({
      global: true,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { issuer: 'siyu', audience: 'siyu-api', algorithm: 'HS256' },
        verifyOptions: { issuer: 'siyu', audience: 'siyu-api', algorithms: ['HS256'] },
      }),
    }),
  ],
  providers: services,
  exports: services,
})
export class PlatformModule {}

/** The platform's routes, the global guard and the problem+json filter (the API process). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })],
  controllers: [
    AuthController,
    OperatorsController,
    ApiKeysController,
    BrandsController,
    AuditController,
    HealthController,
    MetricsController,
  ],
  providers: [
    MetricsService,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
    { provide: APP_FILTER, useClass: ProblemFilter },
  ],
  exports: [MetricsService],
})
export class PlatformHttpModule {}

/** The worker process's platform part: the reconciler's processor and scheduler. */
@Module({
  providers: [MaintenanceProcessor, ReconcileScheduler],
})
export class PlatformWorkerModule {}
