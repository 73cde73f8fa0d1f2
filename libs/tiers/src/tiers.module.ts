import { Module } from '@nestjs/common';
import { CommerceModule } from '@siyu/commerce';

/** Tier ladders, members' tiers and their history: services for the API, the worker and other libs. */
@Module({
  imports: [CommerceModule],
  providers: [],
  exports: [],
})
export class TiersModule {}
