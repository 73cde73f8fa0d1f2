import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import type { FastifyReply } from 'fastify';
import { CouponBatchesService } from './coupon-batches.service';
import { CouponIssuingService } from './coupon-issuing.service';
import { CouponRedemptionService } from './coupon-redemption.service';
import { CouponTemplatesService } from './coupon-templates.service';
import { CouponTierPerksService } from './coupon-tier-perks.service';
import { COUPON_READERS, COUPON_REDEEMERS, COUPON_WRITERS } from './coupons.roles';
import { CouponsRepository } from './coupons.repository';
import {
  CouponCodesCreateDto,
  CouponIssueDto,
  CouponQueryDto,
  CouponRedeemDto,
  CouponRollbackDto,
  CouponSegmentIssueDto,
  CouponSharedCodeCreateDto,
  CouponTemplateCreateDto,
  CouponTemplateQueryDto,
  CouponTemplateUpdateDto,
  CouponTierPerksPutDto,
  CouponValidateDto,
} from './dto/coupon-template.dto';
import {
  CouponBatchResponseDto,
  CouponIssuedResponseDto,
  CouponPageDto,
  CouponRedemptionResponseDto,
  CouponReportResponseDto,
  CouponResponseDto,
  CouponTemplatePageDto,
  CouponTemplateResponseDto,
  CouponValidationResponseDto,
} from './dto/coupon-response.dto';

@ApiTags('coupons')
@ApiBearerAuth()
@Controller('v1')
export class CouponsController {
  constructor(
    private readonly templates: CouponTemplatesService,
    private readonly issuing: CouponIssuingService,
    private readonly batches: CouponBatchesService,
    private readonly redemption: CouponRedemptionService,
    private readonly perks: CouponTierPerksService,
    private readonly repo: CouponsRepository,
  ) {}

  @Post('coupon-templates')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({ summary: 'Create a draft coupon template; audited' })
  @ApiCreatedResponse({ type: CouponTemplateResponseDto })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CouponTemplateCreateDto,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.create(actor, dto));
  }

  @Get('coupon-templates')
  @Roles(...COUPON_READERS)
  @ApiOkResponse({ type: CouponTemplatePageDto })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: CouponTemplateQueryDto,
  ): Promise<CouponTemplatePageDto> {
    const page = await this.templates.list(p.brandId, q);
    return { items: page.items.map((t) => CouponTemplateResponseDto.from(t)), nextCursor: page.nextCursor };
  }

  @Get('coupon-templates/:id')
  @Roles(...COUPON_READERS)
  @ApiOkResponse({ type: CouponTemplateResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.get(p.brandId, id));
  }

  @Patch('coupon-templates/:id')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({
    summary:
      'Edit a draft (any term), or an active/paused template (name, budgets, per-member limit, end); audited',
  })
  @ApiOkResponse({ type: CouponTemplateResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CouponTemplateUpdateDto,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.update(actor, id, dto));
  }

  @Post('coupon-templates/:id/activate')
  @HttpCode(200)
  @Roles(...COUPON_WRITERS)
  @ApiOperation({ summary: 'draft or paused → active; audited' })
  @ApiOkResponse({ type: CouponTemplateResponseDto })
  async activate(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.transition(actor, id, 'activate'));
  }

  @Post('coupon-templates/:id/pause')
  @HttpCode(200)
  @Roles(...COUPON_WRITERS)
  @ApiOperation({ summary: 'active → paused (nothing issues or redeems); audited' })
  @ApiOkResponse({ type: CouponTemplateResponseDto })
  async pause(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.transition(actor, id, 'pause'));
  }

  @Post('coupon-templates/:id/end')
  @HttpCode(200)
  @Roles(...COUPON_WRITERS)
  @ApiOperation({ summary: 'draft, active or paused → ended, for good; audited' })
  @ApiOkResponse({ type: CouponTemplateResponseDto })
  async end(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponTemplateResponseDto> {
    return CouponTemplateResponseDto.from(await this.templates.transition(actor, id, 'end'));
  }

  @Get('coupon-templates/:id/report')
  @Roles(...COUPON_READERS)
  @ApiOperation({
    summary: 'Issued, redeemed, redemption rate, discount given, GMV of the orders that used it',
  })
  @ApiOkResponse({ type: CouponReportResponseDto })
  report(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponReportResponseDto> {
    return this.templates.report(p.brandId, id);
  }

  @Post('coupon-templates/:id/issue')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({
    summary:
      'Issue one personal coupon to a member (idempotent per sourceRef); 422 with a reason when refused',
  })
  @ApiCreatedResponse({ type: CouponIssuedResponseDto })
  async issue(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CouponIssueDto,
  ): Promise<CouponIssuedResponseDto> {
    const r = await this.issuing.issueByOperator(actor, id, dto);
    return { ...r, validUntil: r.validUntil ? new Date(r.validUntil).toISOString() : null };
  }

  @Post('coupon-templates/:id/codes')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({
    summary: 'Generate bearer codes (COPY); up to 10,000 in the request (201), more as a queued batch (202)',
  })
  @ApiCreatedResponse({ type: CouponBatchResponseDto })
  async codes(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CouponCodesCreateDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CouponBatchResponseDto> {
    const b = await this.batches.generate(actor, id, dto);
    if (b.status !== 'done') res.status(202);
    return CouponBatchResponseDto.from(b);
  }

  @Post('coupon-templates/:id/shared-codes')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({ summary: 'One public code redeemable up to maxRedemptions times' })
  createShared(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CouponSharedCodeCreateDto,
  ): Promise<{ couponId: string; code: string; maxRedemptions: number }> {
    return this.batches.createShared(actor, id, dto);
  }

  @Post('coupon-templates/:id/issue-segment')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({
    summary: "Issue one coupon to each member of a segment's snapshot (201 done, or 202 queued)",
  })
  @ApiCreatedResponse({ type: CouponBatchResponseDto })
  async issueSegment(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CouponSegmentIssueDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CouponBatchResponseDto> {
    const b = await this.batches.issueToSegment(actor, id, dto);
    if (b.status !== 'done') res.status(202);
    return CouponBatchResponseDto.from(b);
  }

  @Get('coupon-batches/:id')
  @Roles(...COUPON_READERS)
  @ApiOkResponse({ type: CouponBatchResponseDto })
  async batch(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<CouponBatchResponseDto> {
    return CouponBatchResponseDto.from(await this.batches.get(p.brandId, id));
  }

  @Get('coupons')
  @Roles(...COUPON_READERS)
  @ApiOperation({ summary: "A brand's codes, newest first; filters memberId, templateId" })
  @ApiOkResponse({ type: CouponPageDto })
  async coupons(@CurrentPrincipal() p: Principal, @Query() q: CouponQueryDto): Promise<CouponPageDto> {
    const page = await this.repo.listCoupons(p.brandId, q);
    return { items: page.items.map(toCoupon), nextCursor: page.nextCursor };
  }

  @Post('coupons/validate')
  @HttpCode(200)
  @Roles(...COUPON_READERS)
  @ApiOperation({
    summary:
      'Would this code apply (beside otherCodes in the same cart)? valid, or the reason it would not, and the discount',
  })
  @ApiOkResponse({ type: CouponValidationResponseDto })
  async validate(
    @CurrentPrincipal() p: Principal,
    @Body() dto: CouponValidateDto,
  ): Promise<CouponValidationResponseDto> {
    const ev = await this.redemption.validate(p.brandId, {
      otherCodes: dto.otherCodes ?? [],
      code: dto.code,
      memberId: dto.memberId ?? null,
      cartAmountMinor: BigInt(dto.cartAmountMinor),
      shippingMinor: dto.shippingMinor !== undefined ? BigInt(dto.shippingMinor) : null,
      channel: dto.channel ?? null,
    });
    const c = ev.coupon;
    return {
      valid: ev.valid,
      reason: ev.reason,
      discountMinor: ev.discountMinor.toString(),
      couponId: ev.reason === 'not_found' ? null : (c?.id ?? null),
      templateId: c?.template_id ?? null,
      kind: c?.t_kind ?? null,
      stacking: c?.stacking ?? null,
      validUntil: c?.valid_until ? new Date(c.valid_until).toISOString() : null,
      conflictsWith: ev.conflictsWith ?? null,
    };
  }

  @Post('coupons/redeem')
  @Roles(...COUPON_REDEEMERS)
  @ApiOperation({
    summary:
      'Redeem a code for an order: 201, or 200 with the same redemption for a repeated (code, orderRef); 422 with the reason when refused',
  })
  @ApiCreatedResponse({ type: CouponRedemptionResponseDto })
  async redeem(
    @CurrentActor() actor: Actor,
    @Body() dto: CouponRedeemDto,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<CouponRedemptionResponseDto> {
    const r = await this.redemption.redeemByOperator(actor, {
      code: dto.code,
      memberId: dto.memberId ?? null,
      cartAmountMinor: BigInt(dto.cartAmountMinor),
      shippingMinor: dto.shippingMinor !== undefined ? BigInt(dto.shippingMinor) : null,
      channel: dto.channel ?? null,
      orderRef: dto.orderRef,
    });
    if (r.existing) res.status(200);
    return r;
  }

  @Post('coupons/rollback')
  @HttpCode(200)
  @Roles(...COUPON_REDEEMERS)
  @ApiOperation({
    summary: 'Give back a redemption made through the API (its order was refunded): a rollback ledger row',
  })
  async rollback(
    @CurrentActor() actor: Actor,
    @Body() dto: CouponRollbackDto,
  ): Promise<{ rolledBack: number }> {
    return { rolledBack: await this.redemption.rollbackByOperator(actor, dto) };
  }

  @Get('coupon-tier-perks')
  @Roles(...COUPON_READERS)
  perksList(@CurrentPrincipal() p: Principal): Promise<Array<{ tierId: string; templateIds: string[] }>> {
    return this.perks.listPerks(p.brandId);
  }

  @Put('coupon-tier-perks/:tierId')
  @Roles(...COUPON_WRITERS)
  @ApiOperation({
    summary:
      'The coupon templates a member receives on reaching the tier (each upgrade exactly once); audited',
  })
  perksPut(
    @CurrentActor() actor: Actor,
    @Param('tierId', uuidParam) tierId: string,
    @Body() dto: CouponTierPerksPutDto,
  ): Promise<{ tierId: string; templateIds: string[] }> {
    return this.perks.setPerks(actor, tierId, dto.templateIds);
  }
}

function toCoupon(r: Record<string, unknown>): CouponResponseDto {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: r.id as string,
    templateId: r.template_id as string,
    code: r.code as string,
    kind: r.kind as string,
    memberId: (r.member_id as string | null) ?? null,
    status: r.status as string,
    maxRedemptions: Number(r.max_redemptions),
    redemptions: Number(r.redemptions),
    source: r.source as string,
    sourceRef: r.source_ref as string,
    validFrom: iso(r.valid_from),
    validUntil: iso(r.valid_until),
    issuedAt: iso(r.issued_at) as string,
  };
}
