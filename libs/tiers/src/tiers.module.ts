import { Module } from '@nestjs/common';
import { CommerceModule } from '@siyu/commerce';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { TiersQueue } from './jobs/tiers.queue';
import { TierEventsPublisher } from './tier-events';
import { TierEvaluationService } from './tier-evaluation.service';
import { TierHistoryService } from './tier-history.service';
import { TierHooks } from './tier-hooks';
import { TierLadderService } from './tier-ladder.service';
import { TierReevaluationsService } from './tier-reevaluations.service';
import { TierSchedulesService } from './tier-schedules.service';
import { TiersRepository } from './tiers.repository';

const exported = [
  TierLadderService,
  TierEvaluationService,
  TierHistoryService,
  TierReevaluationsService,
  TierSchedulesService,
  TierEventsPublisher,
];

/**
 * Tier ladders, members' tiers and their history: services for the API, the worker and other libs.
 * Registers the upgrade-on-order listener (CommerceHooks), the member_tiers merge handler and the
 * schedulers' reconcile source.
 */
@Module({
  imports: [CommerceModule, MembersModule, PlatformQueueModule.register(TiersQueue)],
  providers: [TiersRepository, TierHooks, ...exported],
  exports: exported,
})
export class TiersModule {}
