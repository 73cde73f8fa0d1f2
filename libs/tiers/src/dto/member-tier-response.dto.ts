import { ApiProperty } from '@nestjs/swagger';
import { TIER_BASES, TIER_CHANGE_REASONS } from '../tiers.constants';
import type { TierBasis, TierChangeReason } from '../tiers.constants';

export class TierRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() rank: number;
  @ApiProperty() threshold: string;
}

export class TierChangeResponseDto {
  @ApiProperty({ description: 'tier_changes id (a bigint as a string)' }) id: string;
  @ApiProperty({ format: 'uuid' }) memberId: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) fromTierId: string | null;
  @ApiProperty({ format: 'uuid' }) toTierId: string;
  @ApiProperty({ nullable: true, type: String, description: 'The names and ranks as they were then' })
  fromName: string | null;
  @ApiProperty({ nullable: true, type: Number }) fromRank: number | null;
  @ApiProperty() toName: string;
  @ApiProperty() toRank: number;
  @ApiProperty({ enum: TIER_CHANGE_REASONS }) reason: TierChangeReason;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'value, threshold, windowStart, belowSince, evaluationId',
  })
  data: Record<string, unknown>;
  @ApiProperty() at: Date;
}

export class TierChangePageDto {
  @ApiProperty({ type: [TierChangeResponseDto] }) items: TierChangeResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class MemberTierProgressDto {
  @ApiProperty({ enum: TIER_BASES }) basis: TierBasis;
  @ApiProperty({ nullable: true, type: Number }) windowDays: number | null;
  @ApiProperty({ nullable: true, type: Date }) windowStart: Date | null;
  @ApiProperty({ description: 'Qualifying value now: spend net of refunds (minor units) or orders' })
  value: string;
  @ApiProperty({ nullable: true, type: TierRefDto, description: 'The tier the value reaches now' })
  qualifiesFor: TierRefDto | null;
  @ApiProperty({ nullable: true, type: TierRefDto, description: 'The tier above the current one' })
  next: TierRefDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'What is missing to reach `next`' })
  remainingToNext: string | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: '0–100, from the current tier’s threshold to the next',
  })
  percentToNext: number | null;
}

export class MemberTierResponseDto {
  @ApiProperty({ format: 'uuid' }) memberId: string;
  @ApiProperty({ nullable: true, type: TierRefDto }) tier: TierRefDto | null;
  @ApiProperty({ nullable: true, type: Date }) since: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'When a re-evaluation first found the member below their tier (grace running)',
  })
  belowSince: Date | null;
  @ApiProperty({
    nullable: true,
    type: Date,
    description: 'From then on a re-evaluation downgrades the member if still below (brand-local midnight)',
  })
  graceEndsAt: Date | null;
  @ApiProperty({ nullable: true, type: MemberTierProgressDto }) progress: MemberTierProgressDto | null;
  @ApiProperty({ type: [TierChangeResponseDto], description: 'Newest first (the latest 50)' })
  history: TierChangeResponseDto[];
}
