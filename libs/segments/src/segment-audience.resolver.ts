import { Injectable, OnModuleInit } from '@nestjs/common';
import { AudienceRegistry, AudienceResolver } from '@siyu/members';
import { SegmentQueryService } from './segment-query.service';
import { SegmentsService } from './segments.service';

/** `segment` audiences for other libs (members' bulk tagging; campaigns): the segment's members now. */
@Injectable()
export class SegmentAudienceResolver implements AudienceResolver, OnModuleInit {
  readonly kind = 'segment';

  constructor(
    private readonly registry: AudienceRegistry,
    private readonly segments: SegmentsService,
    private readonly query: SegmentQueryService,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** 404 SEGMENT_NOT_FOUND for an unknown id or another brand's segment. */
  async resolve(brandId: string, ref: string, params: unknown[]): Promise<string> {
    const segment = await this.segments.get(brandId, ref);
    return this.query.memberIdsSql(await this.segments.prepareSaved(segment), params);
  }
}
