import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { AttributionService } from './attribution.service';
import { ConversionSettingsService } from './conversion-settings.service';
import { ATTRIBUTION_WRITERS, LINK_READERS, LINK_WRITERS } from './conversions.roles';
import {
  AttributionRecomputeDto,
  AttributionRecomputeResponseDto,
  ConversionSettingsPutDto,
  ConversionSettingsResponseDto,
  LinkCreateDto,
  LinkDetailResponseDto,
  LinkPageDto,
  LinkQueryDto,
  LinkResponseDto,
  OrderAttributionResponseDto,
} from './dto/link.dto';
import { OrderAttribution } from './entities/order-attribution.entity';
import { TrackedLink } from './entities/tracked-link.entity';
import { LinksService } from './links.service';

@ApiTags('conversions')
@ApiBearerAuth()
@Controller('v1/links')
export class LinksController {
  constructor(private readonly links: LinksService) {}

  @Post()
  @Roles(...LINK_WRITERS)
  @ApiOperation({
    summary:
      "Create a tracked link to an http(s) destination on the brand's allowed domains (else 400 naming destination); audited",
  })
  @ApiCreatedResponse({ type: LinkResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: LinkCreateDto): Promise<LinkResponseDto> {
    return this.view(await this.links.create(actor, dto));
  }

  @Get()
  @Roles(...LINK_READERS)
  @ApiOkResponse({ type: LinkPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: LinkQueryDto): Promise<LinkPageDto> {
    const page = await this.links.list(p.brandId, q);
    return { items: page.items.map((l) => this.view(l)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...LINK_READERS)
  @ApiOperation({ summary: 'A link with its click counts' })
  @ApiOkResponse({ type: LinkDetailResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<LinkDetailResponseDto> {
    const link = await this.links.get(p.brandId, id);
    return { ...this.view(link), stats: await this.links.stats(p.brandId, link.id) };
  }

  private view(l: TrackedLink): LinkResponseDto {
    return {
      id: l.id,
      code: l.code,
      shortUrl: this.links.shortUrl(l.code),
      name: l.name,
      destination: l.destination,
      utm: l.utm,
      campaignId: l.campaignId,
      campaignVariant: l.campaignVariant,
      groupId: l.groupId,
      liveSessionId: l.liveSessionId,
      partnerId: l.partnerId,
      createdAt: l.createdAt.toISOString(),
    };
  }
}

@ApiTags('conversions')
@ApiBearerAuth()
@Controller('v1/conversion-settings')
export class ConversionSettingsController {
  constructor(private readonly settings: ConversionSettingsService) {}

  @Get()
  @Roles(...LINK_READERS)
  @ApiOkResponse({ type: ConversionSettingsResponseDto })
  get(@CurrentPrincipal() p: Principal): Promise<ConversionSettingsResponseDto> {
    return this.settings.get(p.brandId);
  }

  @Put()
  @Roles(...LINK_WRITERS)
  @ApiOperation({
    summary: 'Replace the allowed link domains and set the attribution window (days); audited',
  })
  @ApiOkResponse({ type: ConversionSettingsResponseDto })
  put(
    @CurrentActor() actor: Actor,
    @Body() dto: ConversionSettingsPutDto,
  ): Promise<ConversionSettingsResponseDto> {
    return this.settings.put(actor, dto);
  }
}

@ApiTags('conversions')
@ApiBearerAuth()
@Controller('v1/attribution')
export class AttributionController {
  constructor(private readonly attribution: AttributionService) {}

  @Post('recompute')
  @HttpCode(200)
  @Roles(...ATTRIBUTION_WRITERS)
  @ApiOperation({ summary: 'Re-attribute the orders placed in [from, to) with the current rules; audited' })
  @ApiOkResponse({ type: AttributionRecomputeResponseDto })
  recompute(
    @CurrentActor() actor: Actor,
    @Body() dto: AttributionRecomputeDto,
  ): Promise<AttributionRecomputeResponseDto> {
    return this.attribution.recompute(actor, dto);
  }

  @Get('orders/:id')
  @Roles(...LINK_READERS)
  @ApiOperation({ summary: "An order's attribution: the rule that won and what it points to" })
  @ApiOkResponse({ type: OrderAttributionResponseDto })
  async order(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<OrderAttributionResponseDto> {
    const a: OrderAttribution = await this.attribution.get(p.brandId, id);
    return { ...a, attributedAt: a.attributedAt.toISOString() };
  }
}
