import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class ReferralLeaderboardQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;
}

export class ReferralLeaderRowDto {
  @ApiProperty() rank: number;
  @ApiProperty({ format: 'uuid' }) memberId: string;
  @ApiProperty({ nullable: true, type: String }) nickname: string | null;
  @ApiProperty() retained: number;
  @ApiProperty() pending: number;
  @ApiProperty() lost: number;
  @ApiProperty() refused: number;
  @ApiProperty({ type: [Number], description: 'Tiers whose reward was issued' }) rewardTiers: number[];
}

export class ReferralLeaderboardDto {
  @ApiProperty({ type: [ReferralLeaderRowDto] }) items: ReferralLeaderRowDto[];
}

export class ReferralAbuseQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10080,
    default: 60,
    description: 'A delete this soon after the add is "quick"',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10080)
  quickDeleteMinutes = 60;

  @ApiPropertyOptional({
    minimum: 2,
    maximum: 1000,
    default: 5,
    description: 'Invitees within burstMinutes that make a burst',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2)
  @Max(1000)
  burstCount = 5;

  @ApiPropertyOptional({ minimum: 1, maximum: 1440, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  burstMinutes = 10;
}

export class ReferralQuickDeleteDto {
  @ApiProperty({ format: 'uuid' }) inviterMemberId: string;
  @ApiProperty() count: number;
  @ApiProperty({ type: [Object] }) invitees: Array<{
    externalUserid: string;
    via: string;
    joinedAt: Date;
    lostAt: Date;
  }>;
}

export class ReferralBurstDto {
  @ApiProperty({ format: 'uuid' }) inviterMemberId: string;
  @ApiProperty({ description: 'Most invitees in one window' }) maxInWindow: number;
  @ApiProperty() windowStart: Date;
  @ApiProperty() windowEnd: Date;
}

export class ReferralAbuseReportDto {
  @ApiProperty({ type: [ReferralQuickDeleteDto] }) quickDeletes: ReferralQuickDeleteDto[];
  @ApiProperty({ type: [ReferralBurstDto] }) bursts: ReferralBurstDto[];
}

export class ReferralSettleResponseDto {
  @ApiProperty({ description: 'Invitees whose window passed, now retained or lost' }) settled: number;
  @ApiProperty() rewardsIssued: number;
}
