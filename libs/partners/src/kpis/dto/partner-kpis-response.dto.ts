import { ApiProperty } from '@nestjs/swagger';
import type { KpiFigures, PartnerKpis, PilotCohort, TierKpis } from '../kpis.service';

export class KpiFiguresDto {
  @ApiProperty() clicks: number;
  @ApiProperty({ description: 'attributed orders (commissions not rejected, orders not cancelled)' })
  orders: number;
  @ApiProperty({ description: 'minor units' }) gmvMinor: string;
  @ApiProperty({ description: 'GMV net of refunds, minor units' }) netGmvMinor: string;
  @ApiProperty() refundedOrders: number;
  @ApiProperty({ nullable: true, description: 'basis points' }) refundRateBp: number | null;
  @ApiProperty({ description: 'pending + approved + paid commissions' }) commissionEarnedMinor: string;
  @ApiProperty() commissionPaidMinor: string;
  @ApiProperty({ nullable: true, description: 'commission earned per click, minor units' }) epcMinor:
    string | null;
  @ApiProperty() upliftPaidMinor: string;
  @ApiProperty() incrementalGmvMinor: string;
  @ApiProperty({ nullable: true, description: 'incremental GMV ÷ uplift paid' }) incentiveRoi: string | null;
}

export class PartnerKpisResponseDto extends KpiFiguresDto {
  @ApiProperty({ format: 'uuid' }) partnerId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) tier: string | null;
  @ApiProperty() status: string;
  @ApiProperty({ description: '0–100, from the fraud checks' }) fraudScore: number;
  @ApiProperty({ nullable: true }) activatedAt: string | null;
  @ApiProperty({ nullable: true }) firstSaleAt: string | null;
  @ApiProperty({ nullable: true }) timeToFirstSaleHours: number | null;

  static from(k: PartnerKpis): PartnerKpisResponseDto {
    return {
      ...k,
      activatedAt: k.activatedAt ? k.activatedAt.toISOString() : null,
      firstSaleAt: k.firstSaleAt ? k.firstSaleAt.toISOString() : null,
    };
  }
}

export class TierKpisResponseDto extends KpiFiguresDto {
  @ApiProperty({ nullable: true, description: 'null: partners not yet on a tier (applied); totals: null' })
  tier: string | null;
  @ApiProperty() partners: number;
  @ApiProperty() activated: number;
  @ApiProperty() withFirstSale: number;
  @ApiProperty({ nullable: true }) medianTimeToFirstSaleHours: number | null;
  @ApiProperty({ nullable: true }) avgTimeToFirstSaleHours: number | null;
}

export class PartnerKpisSummaryResponseDto {
  @ApiProperty({ nullable: true }) from: string | null;
  @ApiProperty({ nullable: true }) to: string | null;
  @ApiProperty({ type: TierKpisResponseDto }) totals: TierKpisResponseDto;
  @ApiProperty({ type: [TierKpisResponseDto] }) tiers: TierKpisResponseDto[];
}

export class PartnerKpisPageResponseDto {
  @ApiProperty({ type: [PartnerKpisResponseDto] }) items: PartnerKpisResponseDto[];
  @ApiProperty({ nullable: true }) nextCursor: string | null;
}

export class PilotCohortResponseDto {
  @ApiProperty({ description: 'activation month, brand time zone' }) cohort: string;
  @ApiProperty() partners: number;
  @ApiProperty() firstSaleWithin30Days: number;
  @ApiProperty() firstSaleWithin30DaysBp: number;
  @ApiProperty({ nullable: true }) medianTimeToFirstSaleHours: number | null;
  @ApiProperty() ordersFirst30Days: number;
  @ApiProperty() netGmvFirst30DaysMinor: string;
  @ApiProperty() commissionFirst30DaysMinor: string;
  @ApiProperty() stillPilot: number;
  @ApiProperty() promoted: number;
  @ApiProperty() suspendedOrBanned: number;

  static from(c: PilotCohort): PilotCohortResponseDto {
    return { ...c };
  }
}

export class PilotCohortsResponseDto {
  @ApiProperty({ type: [PilotCohortResponseDto] }) cohorts: PilotCohortResponseDto[];
}

export const tierDto = (t: TierKpis): TierKpisResponseDto => ({ ...t });
export const figuresDto = (f: KpiFigures): KpiFiguresDto => ({ ...f });
