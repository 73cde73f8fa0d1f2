import { Module } from '@nestjs/common';
import { CommerceModule } from './commerce.module';
import { OrdersController } from './orders.controller';

/** The orders routes (/v1/orders). */
@Module({
  imports: [CommerceModule],
  controllers: [OrdersController],
})
export class CommerceHttpModule {}
