import { Module } from '@nestjs/common';
import { AffiliateImportProcessor } from './jobs/affiliate-import.processor';
import { OrdersIngestModule } from './orders-ingest.module';

/** The worker's part: affiliate report imports. */
@Module({
  imports: [OrdersIngestModule],
  providers: [AffiliateImportProcessor],
})
export class OrdersIngestWorkerModule {}
