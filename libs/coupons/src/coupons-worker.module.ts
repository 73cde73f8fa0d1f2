import { Module } from '@nestjs/common';
import { CouponsModule } from './coupons.module';
import { CouponExpiryScheduler, CouponsProcessor } from './jobs/coupons.processor';

/** The worker's part: batch jobs and the scheduled expiry. */
@Module({ imports: [CouponsModule], providers: [CouponsProcessor, CouponExpiryScheduler] })
export class CouponsWorkerModule {}
