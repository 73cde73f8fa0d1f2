import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { COMMUNITY_READERS } from './communities.roles';
import { MemberGroupsQueryDto } from './dto/membership-query.dto';
import { MemberGroupPageDto, MemberGroupResponseDto } from './dto/membership-response.dto';
import { GroupsService } from './groups.service';

@ApiTags('communities')
@ApiBearerAuth()
@Controller('v1/members')
export class MemberGroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get(':id/groups')
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: "A member's group chats: now (state=active) or every stay (state=all)" })
  @ApiOkResponse({ type: MemberGroupPageDto })
  async list(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: MemberGroupsQueryDto,
  ): Promise<MemberGroupPageDto> {
    const page = await this.groups.groupsOfMember(p.brandId, id, q);
    return { items: page.items.map((v) => MemberGroupResponseDto.from(v)), nextCursor: page.nextCursor };
  }
}
