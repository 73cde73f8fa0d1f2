import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import { SegmentCreateDto } from './dto/segment-create.dto';
import { SegmentFieldResponseDto } from './dto/segment-field-response.dto';
import { SegmentMemberPageDto, SegmentMemberResponseDto } from './dto/segment-member-response.dto';
import { SegmentPreviewDto, SegmentPreviewResponseDto } from './dto/segment-preview.dto';
import { SegmentPageDto, SegmentRefreshResponseDto, SegmentResponseDto } from './dto/segment-response.dto';
import { SegmentSnapshotCreateDto, SegmentSnapshotResponseDto } from './dto/segment-snapshot.dto';
import { SegmentUpdateDto } from './dto/segment-update.dto';
import { SegmentSnapshotsService } from './segment-snapshots.service';
import { SEGMENT_EXPORTERS, SEGMENT_READERS, SEGMENT_WRITERS } from './segments.roles';
import { SegmentsService } from './segments.service';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments')
export class SegmentsController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly snapshots: SegmentSnapshotsService,
  ) {}

  @Get('fields')
  @Roles(...SEGMENT_READERS)
  @ApiOperation({ summary: 'The fields a rule may name, with their operators and values' })
  @ApiOkResponse({ type: [SegmentFieldResponseDto] })
  fields(): SegmentFieldResponseDto[] {
    return this.segments.catalogue().map((f) => SegmentFieldResponseDto.from(f));
  }

  @Post('preview')
  @HttpCode(200)
  @Roles(...SEGMENT_READERS)
  @ApiOperation({
    summary: 'Count and a 20-member sample of a rule, before saving it',
    description: '400 SEGMENT_RULE_INVALID names the path of each bad node (e.g. rule.all[2].any[0].value).',
  })
  @ApiOkResponse({ type: SegmentPreviewResponseDto })
  async preview(
    @CurrentPrincipal() p: Principal,
    @Body() dto: SegmentPreviewDto,
  ): Promise<SegmentPreviewResponseDto> {
    const { count, sample } = await this.segments.preview(p.brandId, dto);
    return Object.assign(new SegmentPreviewResponseDto(), {
      count,
      sample: sample.map((m) => SegmentMemberResponseDto.from(m)),
    });
  }

  @Post()
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({ summary: 'Save a segment (names unique per brand; counted now; audited)' })
  @ApiCreatedResponse({ type: SegmentResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: SegmentCreateDto): Promise<SegmentResponseDto> {
    return SegmentResponseDto.from(await this.segments.create(actor, dto));
  }

  @Get()
  @Roles(...SEGMENT_READERS)
  @ApiOperation({ summary: 'Segments by name, with their cached counts (keyset-paginated)' })
  @ApiOkResponse({ type: SegmentPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<SegmentPageDto> {
    const page = await this.segments.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((s) => SegmentResponseDto.from(s)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...SEGMENT_READERS)
  @ApiOkResponse({ type: SegmentResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<SegmentResponseDto> {
    return SegmentResponseDto.from(await this.segments.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({ summary: 'Rename, redescribe or change the rule; the count is refreshed (audited)' })
  @ApiOkResponse({ type: SegmentResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: SegmentUpdateDto,
  ): Promise<SegmentResponseDto> {
    return SegmentResponseDto.from(await this.segments.update(actor, id, dto));
  }

  @Delete(':id')
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({ summary: 'Delete a segment; its snapshots stay (audited)' })
  @ApiOkResponse({ type: SegmentResponseDto })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<SegmentResponseDto> {
    return SegmentResponseDto.from(await this.segments.remove(actor, id));
  }

  @Post(':id/refresh')
  @HttpCode(202)
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({ summary: 'Queue a recount of the cached member count' })
  @ApiAcceptedResponse({ type: SegmentRefreshResponseDto })
  async refresh(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<SegmentRefreshResponseDto> {
    const item = await this.segments.requestRefresh(actor, id);
    return Object.assign(new SegmentRefreshResponseDto(), { workItemId: item.id, status: item.status });
  }

  @Get(':id/members')
  @Roles(...SEGMENT_READERS)
  @ApiOperation({ summary: 'The members matching the segment now, by id (keyset-paginated; phones masked)' })
  @ApiOkResponse({ type: SegmentMemberPageDto })
  async members(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: PageQueryDto,
  ): Promise<SegmentMemberPageDto> {
    const page = await this.segments.members(p.brandId, id, q.limit, q.cursor);
    return { items: page.items.map((m) => SegmentMemberResponseDto.from(m)), nextCursor: page.nextCursor };
  }

  @Get(':id/export')
  @Roles(...SEGMENT_EXPORTERS)
  @ApiOperation({
    summary: 'The segment’s members as CSV, streamed from Postgres (phones masked; audited)',
    description: `Columns: member_id, nickname, phone_masked, source_channel, city, tier, order_count, paid_spend_minor, last_order_at, tags (names joined by |), consent.`,
  })
  @ApiProduces('text/csv')
  async export(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<StreamableFile> {
    const { stream } = await this.segments.exportCsv(actor, id);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="segment-${id}.csv"`,
    });
  }

  @Post(':id/snapshots')
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({
    summary: 'Freeze the segment’s audience now (INSERT … SELECT); campaigns send to a snapshot (audited)',
  })
  @ApiCreatedResponse({ type: SegmentSnapshotResponseDto })
  async snapshot(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: SegmentSnapshotCreateDto,
  ): Promise<SegmentSnapshotResponseDto> {
    return SegmentSnapshotResponseDto.from(await this.snapshots.create(actor, id, dto.label));
  }
}
