import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, NotFoundException, QueueDef, WorkJob, WorkService } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { TierReevaluationResponseDto } from './dto/tier-reevaluation-response.dto';
import { TIER_REEVALUATE_JOB, TiersQueue } from './jobs/tiers.queue';
import { evaluationDto } from './tier-ladder.service';
import { TierException } from './tiers.errors';
import { TiersRepository } from './tiers.repository';

/** On-demand re-evaluations: a durable work item first, then its job; its status and outcome. */
@Injectable()
export class TierReevaluationsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: TiersRepository,
    private readonly work: WorkService,
    private readonly audit: AuditService,
  ) {}

  async request(actor: Actor): Promise<TierReevaluationResponseDto> {
    const items = await this.ds.transaction(async (m) => {
      if (!(await this.repo.ladder(actor.brandId, m))) throw TierException.ladderNotConfigured();
      const rows = await this.work.create(m, TiersQueue as QueueDef<WorkJob>, [
        { name: TIER_REEVALUATE_JOB, brandId: actor.brandId },
      ]);
      await this.audit.record(m, actor, {
        action: 'tiers.reevaluate',
        entityType: 'tier_ladder',
        entityId: actor.brandId,
        after: { workItemId: rows[0].id },
      });
      return rows;
    });
    await this.work.dispatch(items);
    return this.status(actor.brandId, items[0].id);
  }

  async status(brandId: string, id: string): Promise<TierReevaluationResponseDto> {
    const [item]: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT id::text AS id, status, attempts, last_error FROM work_items
        WHERE id = $2 AND brand_id = $1 AND queue = $3 AND name = $4`,
      [brandId, id, TiersQueue.name, TIER_REEVALUATE_JOB],
    );
    if (!item) throw new NotFoundException('tier re-evaluation', id);
    const [evaluation]: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT * FROM tier_evaluations WHERE brand_id = $1 AND work_item_id = $2 ORDER BY id DESC LIMIT 1`,
      [brandId, id],
    );
    return {
      id: item.id as string,
      status: item.status as string,
      attempts: Number(item.attempts),
      lastError: (item.last_error as string | null) ?? null,
      evaluation: evaluation ? evaluationDto(evaluation) : null,
    };
  }
}
