import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { COMMUNITY_READERS, COMMUNITY_WRITERS } from './communities.roles';
import { GroupQueryDto } from './dto/group-query.dto';
import { GroupPageDto, GroupResponseDto } from './dto/group-response.dto';
import { GroupSyncResponseDto, GroupSyncStartDto } from './dto/group-sync.dto';
import { GroupUpdateDto } from './dto/group-update.dto';
import { MembershipQueryDto } from './dto/membership-query.dto';
import { MembershipPageDto, MembershipResponseDto } from './dto/membership-response.dto';
import { GroupsService } from './groups.service';
import { CommunitySyncService } from './sync/community-sync.service';

@ApiTags('communities')
@ApiBearerAuth()
@Controller('v1/groups')
export class GroupsController {
  constructor(
    private readonly groups: GroupsService,
    private readonly sync: CommunitySyncService,
  ) {}

  @Get()
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: 'Group chats, newest first (keyset-paginated; filters status, tag, owner, q)' })
  @ApiOkResponse({ type: GroupPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: GroupQueryDto): Promise<GroupPageDto> {
    const page = await this.groups.list(p.brandId, q);
    return { items: page.items.map((g) => GroupResponseDto.from(g)), nextCursor: page.nextCursor };
  }

  @Post('sync')
  @HttpCode(202)
  @Roles(...COMMUNITY_WRITERS)
  @ApiOperation({
    summary: "Sync the brand's group chats from WeCom (groupchat/list + groupchat/get), queued",
    description:
      '202 with the run; while a sync is open, the same run again (`created: false`). 422 WECOM_NOT_CONFIGURED without a WeCom corp.',
  })
  @ApiAcceptedResponse({ type: GroupSyncResponseDto })
  async startSync(
    @CurrentActor() actor: Actor,
    @Body() dto: GroupSyncStartDto = {},
  ): Promise<GroupSyncResponseDto> {
    const { run, created } = await this.sync.start(actor, { pageSize: dto?.pageSize });
    return GroupSyncResponseDto.from(run, created);
  }

  @Get('sync/:id')
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: "A sync run's progress: pages, groups, memberships, members created, last error" })
  @ApiOkResponse({ type: GroupSyncResponseDto })
  async getSync(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<GroupSyncResponseDto> {
    return GroupSyncResponseDto.from(await this.sync.get(p.brandId, id));
  }

  @Get(':id')
  @Roles(...COMMUNITY_READERS)
  @ApiOkResponse({ type: GroupResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<GroupResponseDto> {
    return GroupResponseDto.from(await this.groups.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...COMMUNITY_WRITERS)
  @ApiOperation({ summary: "Set a group's tags (audited)" })
  @ApiOkResponse({ type: GroupResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: GroupUpdateDto,
  ): Promise<GroupResponseDto> {
    return GroupResponseDto.from(await this.groups.setTags(actor, id, dto.tagIds));
  }

  @Get(':id/members')
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: "A group's memberships: who is in it (state=active) or every stay (state=all)" })
  @ApiOkResponse({ type: MembershipPageDto })
  async members(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: MembershipQueryDto,
  ): Promise<MembershipPageDto> {
    const page = await this.groups.memberships(p.brandId, id, q);
    return { items: page.items.map((v) => MembershipResponseDto.from(v)), nextCursor: page.nextCursor };
  }
}
