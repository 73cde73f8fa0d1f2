import { Module } from '@nestjs/common';
import { ReconciliationService } from './reconciliation.service';

/** Reconciliation of affiliate commission reports against Siyu's ledger (service only). */
@Module({ providers: [ReconciliationService], exports: [ReconciliationService] })
export class PartnerReconciliationModule {}
