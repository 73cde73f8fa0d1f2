import { Module } from '@nestjs/common';
import { PartnerKpisService } from './kpis.service';

/** Partner KPIs (SQL over partners, commissions, orders and clicks). */
@Module({ providers: [PartnerKpisService], exports: [PartnerKpisService] })
export class PartnerKpisModule {}
