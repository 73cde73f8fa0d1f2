import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentCaller,
  isMember,
  MemberOrOperator,
  MemberOrOperatorGuard,
  OperatorRolesToo,
} from '@siyu/members';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  Principal,
  Public,
  Roles,
  uuidParam,
  ValidationException,
} from '@siyu/platform';
import {
  LiveCancelDto,
  LiveReminderPlanDto,
  LiveRsvpDto,
  LiveSessionCreateDto,
  LiveSessionQueryDto,
  LiveSessionUpdateDto,
  LiveSettingsDto,
} from './dto/live-session-input.dto';
import { LiveSessionResponseDto } from './dto/live-session-response.dto';
import { LIVE_READERS, LIVE_RSVPERS, LIVE_WRITERS } from './live.roles';
import { LiveReport, LiveReportService } from './live-report.service';
import { LiveRemindersService } from './live-reminders.service';
import { LiveRsvpsService, RsvpCaller, RsvpResult } from './live-rsvps.service';
import { LiveSessionsService } from './live-sessions.service';
import type { LiveSession } from './entities/live-session.entity';

@ApiTags('live')
@ApiBearerAuth()
@Controller('v1')
export class LiveController {
  constructor(
    private readonly sessions: LiveSessionsService,
    private readonly reminders: LiveRemindersService,
    private readonly rsvps: LiveRsvpsService,
    private readonly reports: LiveReportService,
  ) {}

  @Post('live-sessions')
  @Roles(...LIVE_WRITERS)
  @ApiOperation({
    summary: "Plan a live session (times local to the brand's zone) and its reminders; audited",
  })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: LiveSessionCreateDto,
  ): Promise<LiveSessionResponseDto> {
    return this.view(await this.sessions.create(actor, dto));
  }

  @Get('live-sessions')
  @Roles(...LIVE_READERS)
  @ApiOperation({ summary: 'Live sessions, newest first (keyset-paginated; filter status)' })
  async list(@CurrentPrincipal() p: Principal, @Query() q: LiveSessionQueryDto) {
    const zone = await this.sessions.zone(p.brandId);
    const page = await this.sessions.list(p.brandId, q);
    return {
      items: page.items.map((s) => LiveSessionResponseDto.from(s, zone)),
      nextCursor: page.nextCursor,
    };
  }

  @Get('live-sessions/:id')
  @Roles(...LIVE_READERS)
  @ApiOperation({ summary: "A session with its reminders (and their campaigns' progress) and products" })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string) {
    return this.view(await this.sessions.get(p.brandId, id));
  }

  @Patch('live-sessions/:id')
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'Edit a planned session; a new start, end or audience moves unsent reminders' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: LiveSessionUpdateDto,
  ): Promise<LiveSessionResponseDto> {
    return this.view(await this.sessions.update(actor, id, dto));
  }

  @Put('live-sessions/:id/reminders')
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'Replace the reminder plan (sent reminders stay; passed ones are skipped)' })
  async plan(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: LiveReminderPlanDto,
  ): Promise<LiveSessionResponseDto> {
    return this.view(await this.sessions.replacePlan(actor, id, dto.reminders));
  }

  @Post('live-sessions/:id/start')
  @HttpCode(200)
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'planned → live; an unsent "now live" goes now' })
  async start(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string) {
    return this.view(await this.sessions.start(actor, id));
  }

  @Post('live-sessions/:id/end')
  @HttpCode(200)
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'live → ended' })
  async end(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string) {
    return this.view(await this.sessions.end(actor, id));
  }

  @Post('live-sessions/:id/cancel')
  @HttpCode(200)
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'Cancel: unsent reminders are cancelled; notify sends a notice now' })
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: LiveCancelDto = {},
  ) {
    return this.view(await this.sessions.cancel(actor, id, dto ?? {}));
  }

  @Get('live-sessions/:id/report')
  @Roles(...LIVE_READERS)
  @ApiOperation({ summary: 'RSVPs, reminder deliveries, orders and GMV during and 24 h after, coupon use' })
  report(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<LiveReport> {
    return this.reports.report(p.brandId, id);
  }

  @Post('live-sessions/:id/rsvp')
  @HttpCode(200)
  @Public()
  @UseGuards(MemberOrOperatorGuard)
  @OperatorRolesToo(...LIVE_RSVPERS)
  @ApiOperation({
    summary: 'RSVP: a member with a member token (no body), or an operator for memberId; idempotent',
  })
  rsvp(
    @CurrentCaller() caller: MemberOrOperator,
    @Param('id', uuidParam) id: string,
    @Body() dto: LiveRsvpDto = {},
  ): Promise<RsvpResult> {
    const { actor, memberId } = this.rsvpCaller(caller, dto);
    return this.rsvps.subscribe(actor, id, memberId);
  }

  @Delete('live-sessions/:id/rsvp')
  @HttpCode(200)
  @Public()
  @UseGuards(MemberOrOperatorGuard)
  @OperatorRolesToo(...LIVE_RSVPERS)
  @ApiOperation({ summary: 'Withdraw an RSVP (member token, or an operator with ?memberId=)' })
  unrsvp(
    @CurrentCaller() caller: MemberOrOperator,
    @Param('id', uuidParam) id: string,
    @Query() dto: LiveRsvpDto,
  ): Promise<RsvpResult> {
    const { actor, memberId } = this.rsvpCaller(caller, dto);
    return this.rsvps.unsubscribe(actor, id, memberId);
  }

  @Get('live-settings')
  @Roles(...LIVE_READERS)
  settings(@CurrentPrincipal() p: Principal) {
    return this.sessions.settings(p.brandId);
  }

  @Put('live-settings')
  @Roles(...LIVE_WRITERS)
  @ApiOperation({ summary: 'Whether "now live" may be sent inside quiet hours; audited' })
  putSettings(@CurrentActor() actor: Actor, @Body() dto: LiveSettingsDto) {
    return this.sessions.putSettings(actor, dto);
  }

  private async view(s: LiveSession): Promise<LiveSessionResponseDto> {
    const zone = await this.sessions.zone(s.brandId);
    return LiveSessionResponseDto.from(s, zone, {
      reminders: await this.reminders.views(s.brandId, s.id, zone),
      products: await this.sessions.products(s.brandId, s.id),
    });
  }

  private rsvpCaller(
    caller: MemberOrOperator,
    dto: LiveRsvpDto | undefined,
  ): { actor: RsvpCaller; memberId: string } {
    if (isMember(caller)) {
      if (dto?.memberId && dto.memberId.toLowerCase() !== caller.memberId)
        throw new ValidationException([
          { field: 'memberId', message: 'a member RSVPs for themself; leave memberId out' },
        ]);
      return {
        actor: { brandId: caller.brandId, member: true },
        memberId: caller.memberId,
      };
    }
    if (!dto?.memberId)
      throw new ValidationException([{ field: 'memberId', message: 'memberId is required for operators' }]);
    return {
      actor: { brandId: caller.brandId, actorType: caller.kind, actorId: caller.id, requestId: null },
      memberId: dto.memberId.toLowerCase(),
    };
  }
}
