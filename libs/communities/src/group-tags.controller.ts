import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import { COMMUNITY_READERS, COMMUNITY_WRITERS } from './communities.roles';
import {
  GroupTagCreateDto,
  GroupTagPageDto,
  GroupTagResponseDto,
  GroupTagUpdateDto,
} from './dto/group-tag.dto';
import { GroupTagsService } from './group-tags.service';

@ApiTags('communities')
@ApiBearerAuth()
@Controller('v1/group-tags')
export class GroupTagsController {
  constructor(private readonly tags: GroupTagsService) {}

  @Get()
  @Roles(...COMMUNITY_READERS)
  @ApiOperation({ summary: 'Group tags by name, with their active group counts (keyset-paginated)' })
  @ApiOkResponse({ type: GroupTagPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<GroupTagPageDto> {
    const page = await this.tags.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((t) => GroupTagResponseDto.from(t)), nextCursor: page.nextCursor };
  }

  @Post()
  @Roles(...COMMUNITY_WRITERS)
  @ApiOperation({ summary: 'Create a group tag (names are unique per brand; audited)' })
  @ApiCreatedResponse({ type: GroupTagResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: GroupTagCreateDto): Promise<GroupTagResponseDto> {
    return GroupTagResponseDto.from(await this.tags.create(actor, dto.name));
  }

  @Get(':id')
  @Roles(...COMMUNITY_READERS)
  @ApiOkResponse({ type: GroupTagResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<GroupTagResponseDto> {
    return GroupTagResponseDto.from(await this.tags.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...COMMUNITY_WRITERS)
  @ApiOperation({ summary: 'Rename a group tag (audited)' })
  @ApiOkResponse({ type: GroupTagResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: GroupTagUpdateDto,
  ): Promise<GroupTagResponseDto> {
    return GroupTagResponseDto.from(await this.tags.rename(actor, id, dto.name));
  }

  @Delete(':id')
  @Roles(...COMMUNITY_WRITERS)
  @ApiOperation({ summary: 'Delete a group tag; its groups stay (audited)' })
  @ApiOkResponse({ type: GroupTagResponseDto })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<GroupTagResponseDto> {
    return GroupTagResponseDto.from(await this.tags.remove(actor, id));
  }
}
