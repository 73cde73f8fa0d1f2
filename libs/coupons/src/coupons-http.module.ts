import { Module } from '@nestjs/common';
import { CouponsController } from './coupons.controller';
import { CouponsModule } from './coupons.module';

/** The coupon routes: /v1/coupon-templates, /v1/coupons, /v1/coupon-batches, /v1/coupon-tier-perks. */
@Module({ imports: [CouponsModule], controllers: [CouponsController] })
export class CouponsHttpModule {}
