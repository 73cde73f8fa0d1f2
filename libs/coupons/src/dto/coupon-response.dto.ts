import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CouponBatch } from '../entities/coupon-batch.entity';
import type { CouponTemplate } from '../entities/coupon-template.entity';

/** Money is always a string of minor units (bigint). */
export class CouponTemplateResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiPropertyOptional({ nullable: true }) description: string | null;
  @ApiProperty() kind: string;
  @ApiProperty() status: string;
  @ApiPropertyOptional({ nullable: true }) amountOffMinor: string | null;
  @ApiPropertyOptional({ nullable: true }) percentOff: number | null;
  @ApiPropertyOptional({ nullable: true }) maxDiscountMinor: string | null;
  @ApiProperty() minSpendMinor: string;
  @ApiPropertyOptional({ nullable: true }) validFrom: string | null;
  @ApiPropertyOptional({ nullable: true }) validUntil: string | null;
  @ApiPropertyOptional({ nullable: true }) validDays: number | null;
  @ApiProperty({ type: [String] }) channels: string[];
  @ApiProperty() stacking: string;
  @ApiPropertyOptional({ nullable: true }) budgetCount: number | null;
  @ApiPropertyOptional({ nullable: true }) budgetMoneyMinor: string | null;
  @ApiPropertyOptional({ nullable: true }) perMemberLimit: number | null;
  @ApiProperty() codePrefix: string;
  @ApiProperty() codeLength: number;
  @ApiProperty() createdAt: string;
  @ApiProperty() updatedAt: string;

  static from(t: CouponTemplate): CouponTemplateResponseDto {
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      kind: t.kind,
      status: t.status,
      amountOffMinor: t.amountOffMinor,
      percentOff: t.percentOff,
      maxDiscountMinor: t.maxDiscountMinor,
      minSpendMinor: t.minSpendMinor,
      validFrom: t.validFrom?.toISOString() ?? null,
      validUntil: t.validUntil?.toISOString() ?? null,
      validDays: t.validDays,
      channels: t.channels,
      stacking: t.stacking,
      budgetCount: t.budgetCount,
      budgetMoneyMinor: t.budgetMoneyMinor,
      perMemberLimit: t.perMemberLimit,
      codePrefix: t.codePrefix,
      codeLength: t.codeLength,
      createdAt: new Date(t.createdAt).toISOString(),
      updatedAt: new Date(t.updatedAt).toISOString(),
    };
  }
}

export class CouponTemplatePageDto {
  @ApiProperty({ type: [CouponTemplateResponseDto] }) items: CouponTemplateResponseDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class CouponBatchResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() templateId: string;
  @ApiProperty({ enum: ['codes', 'segment'] }) kind: string;
  @ApiProperty({ enum: ['pending', 'running', 'done', 'failed'] }) status: string;
  @ApiProperty() requested: number;
  @ApiProperty() done: number;
  @ApiProperty({ description: 'segment: members refused (per-member limit, budget, merged or erased)' })
  skipped: number;
  @ApiProperty({ description: '0–100' }) percent: number;
  @ApiPropertyOptional({ nullable: true }) label: string | null;
  @ApiPropertyOptional({ nullable: true }) snapshotId: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ nullable: true }) completedAt: string | null;

  static from(b: CouponBatch): CouponBatchResponseDto {
    return {
      id: b.id,
      templateId: b.templateId,
      kind: b.kind,
      status: b.status,
      requested: b.requested,
      done: b.done,
      skipped: b.skipped,
      percent: b.requested > 0 ? Math.floor((b.done / b.requested) * 100) : 100,
      label: b.label,
      snapshotId: b.snapshotId,
      createdAt: new Date(b.createdAt).toISOString(),
      completedAt: b.completedAt ? new Date(b.completedAt).toISOString() : null,
    };
  }
}

export class CouponIssuedResponseDto {
  @ApiProperty() couponId: string;
  @ApiProperty() code: string;
  @ApiPropertyOptional({ nullable: true }) validUntil: string | null;
  @ApiProperty({ description: 'true when this idempotency key had issued it before' }) existing: boolean;
}

export class CouponValidationResponseDto {
  @ApiProperty() valid: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'why not (a reason code)' }) reason: string | null;
  @ApiProperty({ description: 'the discount it would give, minor units' }) discountMinor: string;
  @ApiPropertyOptional({ nullable: true }) couponId: string | null;
  @ApiPropertyOptional({ nullable: true }) templateId: string | null;
  @ApiPropertyOptional({ nullable: true }) kind: string | null;
  @ApiPropertyOptional({ nullable: true }) stacking: string | null;
  @ApiPropertyOptional({ nullable: true }) validUntil: string | null;
  @ApiPropertyOptional({
    nullable: true,
    description: 'not_stackable: the other code in the cart it cannot be combined with',
  })
  conflictsWith: string | null;
}

export class CouponRedemptionResponseDto {
  @ApiProperty() redemptionId: string;
  @ApiProperty() couponId: string;
  @ApiProperty() templateId: string;
  @ApiProperty() code: string;
  @ApiProperty() discountMinor: string;
  @ApiProperty() orderRef: string;
  @ApiProperty() existing: boolean;
}

export class CouponResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() templateId: string;
  @ApiProperty() code: string;
  @ApiProperty() kind: string;
  @ApiPropertyOptional({ nullable: true }) memberId: string | null;
  @ApiProperty() status: string;
  @ApiProperty() maxRedemptions: number;
  @ApiProperty() redemptions: number;
  @ApiProperty() source: string;
  @ApiProperty() sourceRef: string;
  @ApiPropertyOptional({ nullable: true }) validFrom: string | null;
  @ApiPropertyOptional({ nullable: true }) validUntil: string | null;
  @ApiProperty() issuedAt: string;
}

export class CouponPageDto {
  @ApiProperty({ type: [CouponResponseDto] }) items: CouponResponseDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}

export class CouponReportResponseDto {
  @ApiProperty() templateId: string;
  @ApiProperty() issued: number;
  @ApiProperty({ description: 'redemption rows, rolled back or not' }) redemptions: number;
  @ApiProperty({ description: 'full refunds and cancellations' }) rollbacks: number;
  @ApiProperty({ description: 'partial refunds recorded against redemptions' }) partialRefunds: number;
  @ApiProperty({ description: 'redemptions not rolled back' }) redeemed: number;
  @ApiPropertyOptional({ nullable: true, description: 'redeemed / issued (null when nothing was issued)' })
  redemptionRate: number | null;
  @ApiProperty({ description: 'discount of the redemptions not rolled back, net of partial refunds' })
  discountGivenMinor: string;
  @ApiProperty({ description: 'the discount shares partial refunds took back' })
  discountRefundedMinor: string;
  @ApiProperty({ description: 'what the orders that used it paid, net of refunds' }) gmvMinor: string;
  @ApiProperty() orders: number;
  @ApiPropertyOptional({ nullable: true }) budgetCount: number | null;
  @ApiPropertyOptional({ nullable: true }) budgetMoneyMinor: string | null;
}
