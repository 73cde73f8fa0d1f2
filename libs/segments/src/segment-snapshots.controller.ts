import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, PageQueryDto, Principal, Roles, uuidParam } from '@siyu/platform';
import { SegmentMemberPageDto, SegmentMemberResponseDto } from './dto/segment-member-response.dto';
import { SegmentSnapshotResponseDto } from './dto/segment-snapshot.dto';
import { SegmentSnapshotsService } from './segment-snapshots.service';
import { SEGMENT_READERS } from './segments.roles';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments/snapshots')
export class SegmentSnapshotsController {
  constructor(private readonly snapshots: SegmentSnapshotsService) {}

  @Get(':id')
  @Roles(...SEGMENT_READERS)
  @ApiOkResponse({ type: SegmentSnapshotResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<SegmentSnapshotResponseDto> {
    return SegmentSnapshotResponseDto.from(await this.snapshots.get(p.brandId, id));
  }

  @Get(':id/members')
  @Roles(...SEGMENT_READERS)
  @ApiOperation({ summary: 'The snapshot’s members by id (keyset-paginated; phones masked)' })
  @ApiOkResponse({ type: SegmentMemberPageDto })
  async members(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: PageQueryDto,
  ): Promise<SegmentMemberPageDto> {
    const page = await this.snapshots.members(p.brandId, id, q.limit, q.cursor);
    return { items: page.items.map((m) => SegmentMemberResponseDto.from(m)), nextCursor: page.nextCursor };
  }
}
