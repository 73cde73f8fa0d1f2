import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import {
  PartnerCodeCreateDto,
  PartnerCodeResponseDto,
  PartnerDedicatedTemplateDto,
  PartnerLinkCreateDto,
  PartnerLinkResponseDto,
} from '../dto/partner-link.dto';
import {
  PartnerCreateDto,
  PartnerQueryDto,
  PartnerResponseDto,
  PartnerStatusDto,
  PartnerUpdateDto,
} from '../dto/partner.dto';
import type { PartnerCode } from '../entities/partner-code.entity';
import { PartnerLinksService, PartnerLinkView } from '../links/partner-links.service';
import { PARTNER_READERS, PARTNER_WRITERS } from '../partners.roles';
import { partnerView } from './partner-views';
import { PartnersService } from './partners.service';

const linkView = (l: PartnerLinkView): PartnerLinkResponseDto => ({
  ...l,
  createdAt: l.createdAt.toISOString(),
});
const codeView = (c: PartnerCode): PartnerCodeResponseDto => ({
  id: c.id,
  couponId: c.couponId,
  templateId: c.templateId,
  code: c.code,
  maxRedemptions: c.maxRedemptions,
  createdAt: c.createdAt.toISOString(),
});

@ApiTags('partners')
@ApiBearerAuth()
@Controller('v1/partners')
export class PartnersController {
  constructor(
    private readonly partners: PartnersService,
    private readonly links: PartnerLinksService,
  ) {}

  @Post()
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'Add a partner (applied; `activate` makes it a Pilot partner at once); audited' })
  async create(@CurrentActor() actor: Actor, @Body() dto: PartnerCreateDto): Promise<PartnerResponseDto> {
    return partnerView(await this.partners.create(actor, dto));
  }

  @Get()
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: 'Partners, newest first (keyset-paginated; filter status, tier)' })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PartnerQueryDto) {
    const page = await this.partners.list(p.brandId, q);
    return { items: page.items.map(partnerView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: 'A partner (payout details as a hint only; time to first sale)' })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<PartnerResponseDto> {
    return partnerView(await this.partners.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'Edit contact, handles, member, payout details; audited' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerUpdateDto,
  ): Promise<PartnerResponseDto> {
    return partnerView(await this.partners.update(actor, id, dto));
  }

  @Post(':id/status')
  @HttpCode(200)
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({
    summary: 'Activate, promote, demote, suspend, reinstate or ban; audited and kept in the history',
  })
  async status(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerStatusDto,
  ): Promise<PartnerResponseDto> {
    return partnerView(await this.partners.changeStatus(actor, id, dto));
  }

  @Get(':id/history')
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: "The partner's status and tier changes, oldest first, with their evidence" })
  async history(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string) {
    const rows = await this.partners.history(p.brandId, id);
    return {
      items: rows.map((r) => ({
        fromStatus: r.fromStatus,
        toStatus: r.toStatus,
        fromTier: r.fromTier,
        toTier: r.toTier,
        reason: r.reason,
        evidence: r.evidence,
        actorId: r.actorId,
        changedAt: r.changedAt.toISOString(),
      })),
    };
  }

  @Post(':id/links')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: "A tracked link bound to the partner (within the tier's link limit)" })
  async createLink(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerLinkCreateDto,
  ): Promise<PartnerLinkResponseDto> {
    return linkView(await this.links.createLink(actor, id, dto));
  }

  @Get(':id/links')
  @Roles(...PARTNER_READERS)
  async listLinks(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string) {
    return { items: (await this.links.listLinks(p.brandId, id)).map(linkView) };
  }

  @Post(':id/codes')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({
    summary: "A shared coupon code of the partner's (attribution maps its orders to the partner)",
  })
  async createCode(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerCodeCreateDto,
  ): Promise<PartnerCodeResponseDto> {
    return codeView(await this.links.createCode(actor, id, dto));
  }

  @Get(':id/codes')
  @Roles(...PARTNER_READERS)
  async listCodes(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string) {
    return { items: (await this.links.listCodes(p.brandId, id)).map(codeView) };
  }

  @Post(':id/dedicated-template')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'A Preferred partner’s dedicated coupon template with its own budget (active)' })
  async dedicatedTemplate(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerDedicatedTemplateDto,
  ): Promise<PartnerResponseDto> {
    return partnerView(await this.links.createDedicatedTemplate(actor, id, dto));
  }
}
