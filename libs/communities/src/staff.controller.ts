import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@siyu/platform';
import { COMMUNITY_READERS } from './communities.roles';
import { StaffPageDto, StaffQueryDto, StaffResponseDto } from './dto/staff.dto';
import { GroupsService } from './groups.service';

@ApiTags('communities')
@ApiBearerAuth()
@Controller('v1/staff')
export class StaffController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: 'WeCom staff accounts (the senders) by userid, keyset-paginated' })
  @ApiOkResponse({ type: StaffPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: StaffQueryDto): Promise<StaffPageDto> {
    const page = await this.groups.staff(p.brandId, {
      active: q.active === undefined ? undefined : q.active === 'true',
      limit: q.limit,
      cursor: q.cursor,
    });
    return { items: page.items.map((s) => StaffResponseDto.from(s)), nextCursor: page.nextCursor };
  }
}
