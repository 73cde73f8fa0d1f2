import { Module } from '@nestjs/common';
import { SegmentsModule } from '@siyu/segments';
import { DrawEntriesService } from './draw-entries.service';
import { DrawPrizeRegistry } from './draw-prize.registry';
import { DrawReportsService } from './draw-reports.service';
import { DrawTables } from './draw-table';
import { DrawsService } from './draws.service';

const exported = [DrawsService, DrawEntriesService, DrawReportsService, DrawPrizeRegistry];

/**
 * Lucky draws: drafts, publication with a committed seed, entries with stock and limits, the
 * disclosure and the fairness record. Coupons plug their issuing in through DrawPrizeRegistry.
 */
@Module({
  imports: [SegmentsModule],
  providers: [...exported, DrawTables],
  exports: exported,
})
export class DrawsModule {}
