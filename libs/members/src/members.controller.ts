import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
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
import type { FastifyReply } from 'fastify';
import { MemberEventPageDto, MemberEventResponseDto } from './dto/member-event-response.dto';
import { MemberMergeDto } from './dto/member-merge.dto';
import { MemberQueryDto } from './dto/member-query.dto';
import {
  MemberPageDto,
  MemberResponseDto,
  MemberSummaryResponseDto,
  MemberUpsertResponseDto,
} from './dto/member-response.dto';
import { MemberTagsBulkDto, MemberTagsBulkResponseDto } from './dto/member-tags-bulk.dto';
import { MemberUpsertDto } from './dto/member-upsert.dto';
import { MemberEventsService } from './member-events.service';
import { MEMBER_ADMINS, MEMBER_READERS, MEMBER_WRITERS, TAG_WRITERS } from './members.roles';
import { MembersService } from './members.service';

@ApiTags('members')
@ApiBearerAuth()
@Controller('v1/members')
export class MembersController {
  constructor(
    private readonly members: MembersService,
    private readonly events: MemberEventsService,
  ) {}

  @Post()
  @Roles(...MEMBER_WRITERS)
  @ApiOperation({
    summary: 'Create or update a member by any of its identities',
    description:
      '201 when created, 200 when updated; 409 MEMBER_IDENTITY_CONFLICT when the identities belong to two members.',
  })
  @ApiCreatedResponse({ type: MemberUpsertResponseDto })
  @ApiOkResponse({ type: MemberUpsertResponseDto })
  async upsert(
    @CurrentActor() actor: Actor,
    @Body() dto: MemberUpsertDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { member, created } = await this.members.upsert(actor, dto);
    const body = Object.assign(
      new MemberUpsertResponseDto(),
      MemberResponseDto.from(member, { revealPhone: true }),
      { created },
    );
    await reply.status(created ? 201 : 200).send(body);
  }

  @Get()
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'List and search members, newest first (keyset-paginated; phones masked)' })
  @ApiOkResponse({ type: MemberPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: MemberQueryDto): Promise<MemberPageDto> {
    const page = await this.members.list(p.brandId, q);
    return {
      items: page.items.map((m) => MemberResponseDto.from(m, { revealPhone: false })),
      nextCursor: page.nextCursor,
    };
  }

  @Get('summary')
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'Counts of active members by source channel, and how many are reachable' })
  @ApiOkResponse({ type: MemberSummaryResponseDto })
  async summary(@CurrentPrincipal() p: Principal): Promise<MemberSummaryResponseDto> {
    return Object.assign(new MemberSummaryResponseDto(), await this.members.summary(p.brandId));
  }

  @Post('merge')
  @HttpCode(200)
  @Roles(...MEMBER_ADMINS)
  @ApiOperation({
    summary:
      'Merge two members: everything of mergedId moves to survivorId, mergedId becomes a tombstone (audited)',
  })
  @ApiOkResponse({ type: MemberResponseDto })
  async merge(@CurrentActor() actor: Actor, @Body() dto: MemberMergeDto): Promise<MemberResponseDto> {
    return MemberResponseDto.from(await this.members.merge(actor, dto.survivorId, dto.mergedId), {
      revealPhone: false,
    });
  }

  @Post('tags/bulk')
  @HttpCode(200)
  @Roles(...TAG_WRITERS)
  @ApiOperation({ summary: 'Add or remove tags for many members at once (one SQL statement; audited)' })
  @ApiOkResponse({ type: MemberTagsBulkResponseDto })
  async bulkTag(
    @CurrentActor() actor: Actor,
    @Body() dto: MemberTagsBulkDto,
  ): Promise<MemberTagsBulkResponseDto> {
    const result = await this.members.bulkTag(actor, dto);
    return Object.assign(new MemberTagsBulkResponseDto(), { action: dto.action, ...result });
  }

  @Get(':id')
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'One member, with its phone and identities (a phone identity is shown masked)' })
  @ApiOkResponse({ type: MemberResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<MemberResponseDto> {
    const member = await this.members.get(p.brandId, id);
    return MemberResponseDto.from(member, {
      revealPhone: true,
      identities: await this.members.identities(p.brandId, id),
    });
  }

  @Get(':id/timeline')
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'The member’s events, newest first (keyset-paginated)' })
  @ApiOkResponse({ type: MemberEventPageDto })
  async timeline(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: PageQueryDto,
  ): Promise<MemberEventPageDto> {
    await this.members.get(p.brandId, id);
    const page = await this.events.timeline(p.brandId, id, q.limit, q.cursor);
    return { items: page.items.map((e) => MemberEventResponseDto.from(e)), nextCursor: page.nextCursor };
  }

  @Post(':id/erase')
  @HttpCode(200)
  @Roles(...MEMBER_ADMINS)
  @ApiOperation({
    summary: 'Erase a member’s personal data (PIPL/GDPR); the tombstone and its aggregates stay (audited)',
  })
  @ApiOkResponse({ type: MemberResponseDto })
  async erase(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<MemberResponseDto> {
    return MemberResponseDto.from(await this.members.erase(actor, id), { revealPhone: false });
  }
}
