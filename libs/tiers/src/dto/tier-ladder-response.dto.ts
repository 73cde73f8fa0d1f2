import { ApiProperty } from '@nestjs/swagger';
import { TIER_BASES, TIER_EVALUATION_TRIGGERS, TIER_REEVALUATIONS } from '../tiers.constants';
import type { TierBasis, TierEvaluationTrigger, TierReevaluation } from '../tiers.constants';

export class TierResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: '0 is the entry tier' }) rank: number;
  @ApiProperty({ description: 'Minor units or an order count (a bigint, as a string)', example: '200000' })
  threshold: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) perks: Record<string, unknown>;
  @ApiProperty({ description: 'Members holding this tier now' }) members: number;
}

export class TierEvaluationResponseDto {
  @ApiProperty({ description: 'tier_evaluations id; its changes carry it in data.evaluationId' })
  id: string;
  @ApiProperty({ enum: TIER_EVALUATION_TRIGGERS }) trigger: TierEvaluationTrigger;
  @ApiProperty({ description: 'The instant members were evaluated at' }) at: Date;
  @ApiProperty() assigned: number;
  @ApiProperty() upgraded: number;
  @ApiProperty() downgraded: number;
  @ApiProperty() remapped: number;
  @ApiProperty() graceStarted: number;
  @ApiProperty() graceCleared: number;
  @ApiProperty({ nullable: true, type: Date }) finishedAt: Date | null;
}

export class TierLadderResponseDto {
  @ApiProperty({ description: 'false until the first PUT /v1/tiers; the fields then show the defaults' })
  configured: boolean;
  @ApiProperty({ enum: TIER_BASES }) basis: TierBasis;
  @ApiProperty({ nullable: true, type: Number, description: 'null: lifetime' }) windowDays: number | null;
  @ApiProperty() graceDays: number;
  @ApiProperty({ enum: TIER_REEVALUATIONS }) reevaluation: TierReevaluation;
  @ApiProperty({ example: '03:00' }) reevaluationTime: string;
  @ApiProperty({ example: 'Asia/Shanghai', description: 'The brand time zone all of the above is read in' })
  timeZone: string;
  @ApiProperty({ nullable: true, type: Date }) lastEvaluatedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'The next scheduled re-evaluation' })
  nextEvaluationAt: Date | null;
  @ApiProperty({ description: 'Members without a tier yet (they get one at the next evaluation)' })
  unassigned: number;
  @ApiProperty({ type: [TierResponseDto] }) tiers: TierResponseDto[];
  @ApiProperty({ nullable: true, type: TierEvaluationResponseDto, description: 'The latest whole-brand run' })
  lastEvaluation: TierEvaluationResponseDto | null;
}

export class TierPreviewTierDto {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The existing tier it keeps' })
  id: string | null;
  @ApiProperty() name: string;
  @ApiProperty() rank: number;
  @ApiProperty() threshold: string;
  @ApiProperty({ description: 'Members it would hold right after saving (upgrades apply; no downgrades)' })
  members: number;
  @ApiProperty({
    description:
      'Members whose qualifying value reaches it and not the next: where re-evaluations lead once grace ends',
  })
  qualifying: number;
}

export class TierPreviewCurrentDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() rank: number;
  @ApiProperty() threshold: string;
  @ApiProperty() members: number;
  @ApiProperty({ description: 'Whether the proposed ladder keeps this tier' }) kept: boolean;
}

export class TierPreviewResponseDto {
  @ApiProperty({ enum: TIER_BASES }) basis: TierBasis;
  @ApiProperty({ nullable: true, type: Number }) windowDays: number | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Brand-local start of the window, now' })
  windowStart: Date | null;
  @ApiProperty({ type: [TierPreviewTierDto] }) proposed: TierPreviewTierDto[];
  @ApiProperty({ type: [TierPreviewCurrentDto] }) current: TierPreviewCurrentDto[];
  @ApiProperty({ description: 'Members without a tier now' }) unassigned: number;
}
