import { maskPhone } from '@siyu/members';
import type { PartnerSettlementResponseDto } from '../dto/partner-settlement.dto';
import type { PartnerResponseDto } from '../dto/partner.dto';
import type { PartnerUpliftResponseDto } from '../dto/partner-uplift.dto';
import type { PartnerCommission } from '../entities/partner-commission.entity';
import type { PartnerSettlementLine } from '../entities/partner-settlement-line.entity';
import type { PartnerSettlement } from '../entities/partner-settlement.entity';
import type { PartnerUplift } from '../entities/partner-uplift.entity';
import type { Partner } from '../entities/partner.entity';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function partnerView(p: Partner): PartnerResponseDto {
  return {
    id: p.id,
    name: p.name,
    kind: p.kind,
    status: p.status,
    tier: p.tier,
    contactEmail: p.contactEmail,
    contactPhone: maskPhone(p.contactPhone),
    memberId: p.memberId,
    socialHandles: p.socialHandles,
    payoutHint: p.payoutHint,
    dedicatedTemplateId: p.dedicatedTemplateId,
    activatedAt: iso(p.activatedAt),
    firstSaleAt: iso(p.firstSaleAt),
    timeToFirstSaleSeconds:
      p.activatedAt && p.firstSaleAt
        ? Math.max(0, Math.round((p.firstSaleAt.getTime() - p.activatedAt.getTime()) / 1000))
        : null,
    fraudScore: p.fraudScore,
    tierChangedAt: iso(p.tierChangedAt),
    createdAt: p.createdAt.toISOString(),
  };
}

export function commissionView(c: PartnerCommission) {
  return {
    id: c.id,
    partnerId: c.partnerId,
    orderId: c.orderId,
    attributedBy: c.attributedBy,
    tier: c.tier,
    currency: c.currency,
    commissionableMinor: c.commissionableMinor,
    baseRateBp: c.baseRateBp,
    baseMinor: c.baseMinor,
    upliftId: c.upliftId,
    upliftRateBp: c.upliftRateBp,
    upliftBaseMinor: c.upliftBaseMinor,
    upliftMinor: c.upliftMinor,
    upliftState: c.upliftState,
    cappedMinor: c.cappedMinor,
    amountMinor: c.amountMinor,
    status: c.status,
    reason: c.reason,
    orderPaidAt: c.orderPaidAt.toISOString(),
    holdUntil: c.holdUntil.toISOString(),
    approvedAt: iso(c.approvedAt),
    paidAt: iso(c.paidAt),
    reversedAt: iso(c.reversedAt),
    settlementId: c.settlementId,
    createdAt: c.createdAt.toISOString(),
  };
}

export function upliftView(u: PartnerUplift): PartnerUpliftResponseDto {
  return {
    id: u.id,
    name: u.name,
    partnerId: u.partnerId,
    tier: u.tier,
    rateBp: u.rateBp,
    startsAt: u.startsAt.toISOString(),
    endsAt: u.endsAt.toISOString(),
    skus: u.skus,
    categories: u.categories,
    minOrders: u.minOrders,
    minGmvMinor: u.minGmvMinor,
    minNewBuyerShareBp: u.minNewBuyerShareBp,
    closedAt: iso(u.closedAt),
    createdAt: u.createdAt.toISOString(),
  };
}

export function settlementView(
  s: PartnerSettlement,
  lines?: PartnerSettlementLine[],
): PartnerSettlementResponseDto {
  return {
    id: s.id,
    partnerId: s.partnerId,
    periodFrom: s.periodFrom.toISOString(),
    periodTo: s.periodTo.toISOString(),
    currency: s.currency,
    status: s.status,
    commissionsMinor: s.commissionsMinor,
    adjustmentsMinor: s.adjustmentsMinor,
    totalMinor: s.totalMinor,
    minPayoutMinor: s.minPayoutMinor,
    lineCount: s.lineCount,
    confirmedAt: iso(s.confirmedAt),
    paidAt: iso(s.paidAt),
    payoutReference: s.payoutReference,
    createdAt: s.createdAt.toISOString(),
    lines: lines?.map((l) => ({
      kind: l.kind,
      commissionId: l.commissionId,
      adjustmentId: l.adjustmentId,
      orderId: l.orderId,
      orderSource: l.orderSource,
      orderExternalId: l.orderExternalId,
      orderPaidAt: l.orderPaidAt.toISOString(),
      commissionableMinor: l.commissionableMinor,
      baseRateBp: l.baseRateBp,
      baseMinor: l.baseMinor,
      upliftRateBp: l.upliftRateBp,
      upliftMinor: l.upliftMinor,
      upliftState: l.upliftState,
      cappedMinor: l.cappedMinor,
      amountMinor: l.amountMinor,
      reason: l.reason,
    })),
  };
}
