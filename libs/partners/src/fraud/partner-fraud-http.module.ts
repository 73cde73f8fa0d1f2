import { Module } from '@nestjs/common';
import { FraudController } from './fraud.controller';
import { PartnerFraudModule } from './partner-fraud.module';

/** /v1/partner-fraud-flags (review), /v1/partner-fraud-sweeps, /v1/partner-fraud-settings. */
@Module({ imports: [PartnerFraudModule], controllers: [FraudController] })
export class PartnerFraudHttpModule {}
