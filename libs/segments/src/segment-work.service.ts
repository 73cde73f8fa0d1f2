import { Injectable } from '@nestjs/common';
import { WorkItem } from '@siyu/platform';
import { EntityManager } from 'typeorm';
import {
  RFM_RECOMPUTE_JOB,
  RfmRecomputePayload,
  SEGMENT_COUNT_REFRESH_JOB,
  SegmentCountRefreshPayload,
} from './jobs/segments.queue';
import { RfmService } from './rfm.service';
import { SegmentsService } from './segments.service';

/** What the segments work items do, in the transaction that marks them done. */
@Injectable()
export class SegmentWorkService {
  constructor(
    private readonly rfm: RfmService,
    private readonly segments: SegmentsService,
  ) {}

  async run(item: WorkItem, m: EntityManager): Promise<unknown> {
    switch (item.name) {
      case RFM_RECOMPUTE_JOB: {
        const p = item.payload as unknown as RfmRecomputePayload;
        const result = await this.rfm.recompute(m, p.brandId, p.trigger);
        // RFM fields just changed: every saved count of the brand is stale.
        const refreshed = await this.segments.refreshCounts(m, p.brandId);
        return { ...result, refreshed };
      }
      case SEGMENT_COUNT_REFRESH_JOB: {
        const p = item.payload as unknown as SegmentCountRefreshPayload;
        return { refreshed: await this.segments.refreshCounts(m, p.brandId, p.segmentId) };
      }
      default:
        throw Object.assign(new Error(`unknown segments work "${item.name}"`), { permanent: true });
    }
  }
}
