import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  PageQueryDto,
  Principal,
  Public,
  Roles,
  uuidParam,
} from '@siyu/platform';
import { GROWTH_READERS, GROWTH_WRITERS } from '../common/growth.roles';
import {
  ReferralCampaignCreateDto,
  ReferralCampaignPageDto,
  ReferralCampaignResponseDto,
  ReferralCampaignUpdateDto,
} from './dto/referral-campaign.dto';
import {
  ReferralInviteCreateDto,
  ReferralInviteResponseDto,
  ReferralPosterResponseDto,
} from './dto/referral-invite.dto';
import {
  ReferralAbuseQueryDto,
  ReferralAbuseReportDto,
  ReferralLeaderboardDto,
  ReferralLeaderboardQueryDto,
  ReferralSettleResponseDto,
} from './dto/referral-report.dto';
import { ReferralCampaignsService } from './referral-campaigns.service';
import { BadRequestParam } from './referral-code.pipe';

@ApiTags('acquisition')
@ApiBearerAuth()
@Controller('v1/acquisition/referral-campaigns')
export class ReferralCampaignsController {
  constructor(private readonly campaigns: ReferralCampaignsService) {}

  @Post()
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({ summary: 'Create a referral (fission) campaign with reward tiers and a retention window' })
  @ApiCreatedResponse({ type: ReferralCampaignResponseDto })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: ReferralCampaignCreateDto,
  ): Promise<ReferralCampaignResponseDto> {
    return ReferralCampaignResponseDto.from(await this.campaigns.create(actor, dto));
  }

  @Get()
  @Roles(...GROWTH_READERS)
  @ApiOkResponse({ type: ReferralCampaignPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<ReferralCampaignPageDto> {
    const page = await this.campaigns.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((v) => ReferralCampaignResponseDto.from(v)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...GROWTH_READERS)
  @ApiOkResponse({ type: ReferralCampaignResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ReferralCampaignResponseDto> {
    return ReferralCampaignResponseDto.from(await this.campaigns.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({
    summary: 'Rename, move the end, change the retention window for new invitees, or end the campaign',
  })
  @ApiOkResponse({ type: ReferralCampaignResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: ReferralCampaignUpdateDto,
  ): Promise<ReferralCampaignResponseDto> {
    return ReferralCampaignResponseDto.from(await this.campaigns.update(actor, id, dto));
  }

  @Post(':id/invites')
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({
    summary:
      "A member's personal invite: a contact way (state rf_<code>), a join way when the campaign has groups, a poster link",
    description:
      'Idempotent per member: the same invite again. 404 for another brand’s member; 409 when the campaign has ended.',
  })
  @ApiCreatedResponse({ type: ReferralInviteResponseDto })
  async invite(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: ReferralInviteCreateDto,
  ): Promise<ReferralInviteResponseDto> {
    return ReferralInviteResponseDto.from(
      (await this.campaigns.createInvite(actor, id, dto.memberId)).invite,
    );
  }

  @Get(':id/invites/:inviteId')
  @Roles(...GROWTH_READERS)
  @ApiOkResponse({ type: ReferralInviteResponseDto })
  async getInvite(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Param('inviteId', uuidParam) inviteId: string,
  ): Promise<ReferralInviteResponseDto> {
    return ReferralInviteResponseDto.from(await this.campaigns.getInvite(p.brandId, id, inviteId));
  }

  @Get(':id/leaderboard')
  @Roles(...GROWTH_READERS)
  @ApiOperation({
    summary: 'Inviters ranked by retained invitees, with pending, lost, refused and the reward tiers issued',
  })
  @ApiOkResponse({ type: ReferralLeaderboardDto })
  async leaderboard(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: ReferralLeaderboardQueryDto,
  ): Promise<ReferralLeaderboardDto> {
    return { items: await this.campaigns.leaderboard(p.brandId, id, q.limit) };
  }

  @Get(':id/abuse')
  @Roles(...GROWTH_READERS)
  @ApiOperation({
    summary: 'Anti-abuse: invitees who deleted quickly, and bursts of invites from one inviter',
  })
  @ApiOkResponse({ type: ReferralAbuseReportDto })
  async abuse(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: ReferralAbuseQueryDto,
  ): Promise<ReferralAbuseReportDto> {
    return this.campaigns.abuse(p.brandId, id, q);
  }

  @Post(':id/settle')
  @HttpCode(200)
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({ summary: 'Settle the invitees whose window passed now (the worker does it every minute)' })
  @ApiOkResponse({ type: ReferralSettleResponseDto })
  async settle(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<ReferralSettleResponseDto> {
    return this.campaigns.settle(actor, id);
  }
}

/** The poster page's data, public: the invite code is the only key. */
@ApiTags('acquisition')
@Controller('v1/acquisition/referral-posters')
export class ReferralPostersController {
  constructor(private readonly campaigns: ReferralCampaignsService) {}

  @Get(':code')
  @Public()
  @ApiOkResponse({ type: ReferralPosterResponseDto })
  async poster(@Param('code', BadRequestParam) code: string): Promise<ReferralPosterResponseDto> {
    return this.campaigns.poster(code);
  }
}
