import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions({
          DATABASE_URL: config.get('DATABASE_URL'),
          DATABASE_POOL_SIZE: config.get('DATABASE_POOL_SIZE'),
        }),
        retryAttempts: 3,
        retryDelay: 500,
      }),
    }),
  ],
})
export class PlatformDatabaseModule {}
