import { Module } from '@nestjs/common';
import { CommerceModule } from './commerce.module';
import { OrderMatchProcessor, OrderMatchScheduler } from './jobs/order-match.processor';

/** The worker's part: the periodic sweep that matches unmatched orders. */
@Module({
  imports: [CommerceModule],
  providers: [OrderMatchProcessor, OrderMatchScheduler],
})
export class CommerceWorkerModule {}
