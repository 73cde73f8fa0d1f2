import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DRAW_STATES, DrawState, PrizeKind } from '../draws.constants';
import type { DrawRecord } from '../draws.service';
import type { DrawEligibility } from '../entities/draw.entity';

export class DrawPrizeResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() position: number;
  @ApiProperty() name: string;
  @ApiProperty() weight: number;
  @ApiProperty({ enum: ['coupon', 'physical'] }) kind: PrizeKind;
  @ApiPropertyOptional({ nullable: true }) couponTemplateId: string | null;
  @ApiPropertyOptional({ nullable: true }) note: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'null: unlimited' }) stock: number | null;
  @ApiPropertyOptional({ nullable: true }) remaining: number | null;
}

export class DrawResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() rules: string;
  @ApiProperty({ enum: DRAW_STATES }) state: DrawState;
  @ApiProperty() startsAt: Date;
  @ApiProperty() endsAt: Date;
  @ApiProperty() eligibility: DrawEligibility;
  @ApiPropertyOptional({ nullable: true }) limitTotal: number | null;
  @ApiPropertyOptional({ nullable: true }) limitPerDay: number | null;
  @ApiProperty() fallbackName: string;
  @ApiProperty() fallbackWeight: number;
  @ApiProperty({ type: [DrawPrizeResponseDto] }) prizes: DrawPrizeResponseDto[];
  @ApiPropertyOptional({ nullable: true, description: 'SHA-256 of the seed, from publication' })
  commitment: string | null;
  @ApiPropertyOptional({ nullable: true }) publishedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) closedAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from({ draw: d, prizes, state }: DrawRecord): DrawResponseDto {
    return Object.assign(new DrawResponseDto(), {
      id: d.id,
      name: d.name,
      rules: d.rules,
      state,
      startsAt: d.startsAt,
      endsAt: d.endsAt,
      eligibility: d.eligibility,
      limitTotal: d.limitTotal,
      limitPerDay: d.limitPerDay,
      fallbackName: d.fallbackName,
      fallbackWeight: d.fallbackWeight,
      prizes: prizes.map((p) => ({
        id: p.id,
        position: p.position,
        name: p.name,
        weight: p.weight,
        kind: p.kind,
        couponTemplateId: p.couponTemplateId,
        note: p.note,
        stock: p.stock,
        remaining: p.remaining,
      })),
      commitment: d.commitment,
      publishedAt: d.publishedAt,
      closedAt: d.closedAt,
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    });
  }
}

export class DrawPageDto {
  @ApiProperty({ type: [DrawResponseDto] }) items: DrawResponseDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}
