import { Module } from '@nestjs/common';
import { CommerceModule } from '@siyu/commerce';
import { MembersModule } from '@siyu/members';
import { PartnersCoreModule } from '../partners-core.module';
import { FraudChecksService } from './fraud-checks.service';
import { FraudReviewService } from './fraud-review.service';
import { FraudSettingsService } from './fraud-settings.service';

const exported = [FraudChecksService, FraudReviewService, FraudSettingsService];

/**
 * The partner fraud checks. Importing this module registers them on PartnerHooks (new
 * commissions) and CommerceHooks (refunds), so every process that creates commissions or records
 * refunds — the API and the worker — must import it.
 */
@Module({
  imports: [PartnersCoreModule, CommerceModule, MembersModule],
  providers: exported,
  exports: exported,
})
export class PartnerFraudModule {}
