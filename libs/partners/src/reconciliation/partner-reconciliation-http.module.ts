import { Module } from '@nestjs/common';
import { PartnerReconciliationModule } from './partner-reconciliation.module';
import { ReconciliationController } from './reconciliation.controller';

/** /v1/partner-reconciliations: upload, runs, lines, CSV export, resolutions. */
@Module({ imports: [PartnerReconciliationModule], controllers: [ReconciliationController] })
export class PartnerReconciliationHttpModule {}
