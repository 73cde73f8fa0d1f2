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
import { TagCreateDto } from './dto/tag-create.dto';
import { TagPageDto, TagResponseDto } from './dto/tag-response.dto';
import { TagUpdateDto } from './dto/tag-update.dto';
import { MEMBER_READERS, TAG_WRITERS } from './members.roles';
import { TagsService } from './tags.service';

@ApiTags('tags')
@ApiBearerAuth()
@Controller('v1/tags')
export class TagsController {
  constructor(private readonly tags: TagsService) {}

  @Get()
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'Tags by name, with their active member counts (keyset-paginated)' })
  @ApiOkResponse({ type: TagPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<TagPageDto> {
    const page = await this.tags.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((t) => TagResponseDto.from(t)), nextCursor: page.nextCursor };
  }

  @Post()
  @Roles(...TAG_WRITERS)
  @ApiOperation({ summary: 'Create a tag (names are unique per brand; audited)' })
  @ApiCreatedResponse({ type: TagResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: TagCreateDto): Promise<TagResponseDto> {
    return TagResponseDto.from(await this.tags.create(actor, dto));
  }

  @Get(':id')
  @Roles(...MEMBER_READERS)
  @ApiOkResponse({ type: TagResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<TagResponseDto> {
    return TagResponseDto.from(await this.tags.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...TAG_WRITERS)
  @ApiOperation({ summary: 'Rename or recolour a tag (audited)' })
  @ApiOkResponse({ type: TagResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: TagUpdateDto,
  ): Promise<TagResponseDto> {
    return TagResponseDto.from(await this.tags.update(actor, id, dto));
  }

  @Delete(':id')
  @Roles(...TAG_WRITERS)
  @ApiOperation({ summary: 'Delete a tag and its assignments; members stay (audited)' })
  @ApiOkResponse({ type: TagResponseDto })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<TagResponseDto> {
    return TagResponseDto.from(await this.tags.remove(actor, id));
  }
}
