import { Module } from '@nestjs/common';
import { PartnerKpisController } from './kpis.controller';
import { PartnerKpisModule } from './partner-kpis.module';

/** /v1/partners/kpis, /v1/partners/kpis/partners, /v1/partners/kpis/pilot-cohorts, /v1/partners/:id/kpis. */
@Module({ imports: [PartnerKpisModule], controllers: [PartnerKpisController] })
export class PartnerKpisHttpModule {}
