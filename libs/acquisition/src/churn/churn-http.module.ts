import { Module } from '@nestjs/common';
import { ChurnController } from './churn.controller';
import { ChurnModule } from './churn.module';

/** /v1/acquisition/churn */
@Module({ imports: [ChurnModule], controllers: [ChurnController] })
export class ChurnHttpModule {}
