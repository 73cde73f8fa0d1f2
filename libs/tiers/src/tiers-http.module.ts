import { Module } from '@nestjs/common';
import { MemberTierController } from './member-tier.controller';
import { TiersController } from './tiers.controller';
import { TiersModule } from './tiers.module';

/** The tiers routes (/v1/tiers, /v1/members/:id/tier). */
@Module({
  imports: [TiersModule],
  controllers: [TiersController, MemberTierController],
})
export class TiersHttpModule {}
