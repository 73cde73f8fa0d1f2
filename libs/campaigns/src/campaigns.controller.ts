import {
  Body,
  Controller,
  Get,
  HttpCode,
  MessageEvent,
  Param,
  Patch,
  Post,
  Query,
  Sse,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import {
  Actor,
  AppConfig,
  CurrentActor,
  CurrentPrincipal,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import { distinctUntilChanged, from, interval, map, Observable, startWith, switchMap, takeWhile } from 'rxjs';
import { CampaignProgress, CampaignProgressService } from './campaign-progress.service';
import { FINAL_STATUSES } from './campaigns.constants';
import { CAMPAIGN_READERS, CAMPAIGN_WRITERS } from './campaigns.roles';
import { CampaignsService, DryRun } from './campaigns.service';
import {
  CampaignCreateDto,
  CampaignQueryDto,
  CampaignResendDto,
  CampaignScheduleDto,
  CampaignUpdateDto,
  DeliveryQueryDto,
} from './dto/campaign-input.dto';
import {
  CampaignPageDto,
  CampaignResponseDto,
  DeliveryPageDto,
  DeliveryResponseDto,
} from './dto/campaign-response.dto';

@ApiTags('campaigns')
@ApiBearerAuth()
@Controller('v1/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly progressService: CampaignProgressService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Create a draft campaign (content, audience, channel); audited' })
  @ApiCreatedResponse({ type: CampaignResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: CampaignCreateDto): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.create(actor, dto));
  }

  @Get()
  @Roles(...CAMPAIGN_READERS)
  @ApiOperation({ summary: 'Campaigns, newest first (keyset-paginated; filters status, channel)' })
  @ApiOkResponse({ type: CampaignPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: CampaignQueryDto): Promise<CampaignPageDto> {
    const page = await this.campaigns.list(p.brandId, q);
    return { items: page.items.map((c) => CampaignResponseDto.from(c)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...CAMPAIGN_READERS)
  @ApiOkResponse({ type: CampaignResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Edit a draft; audited' })
  @ApiOkResponse({ type: CampaignResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CampaignUpdateDto,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.update(actor, id, dto));
  }

  @Post(':id/schedule')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({
    summary: "Schedule a draft: now, or at a local date-time in the brand's time zone (or `timeZone`)",
    description:
      'A time in a spring-forward gap moves forward by the gap; a time in the fall-back hour takes the first one. `schedule.adjustment` says which.',
  })
  @ApiOkResponse({ type: CampaignResponseDto })
  async schedule(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CampaignScheduleDto = {},
  ): Promise<CampaignResponseDto> {
    const { campaign, adjustment, zones } = await this.campaigns.schedule(actor, id, dto ?? {});
    return CampaignResponseDto.from(campaign, adjustment, zones);
  }

  @Post(':id/unschedule')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Back to draft before it starts' })
  @ApiOkResponse({ type: CampaignResponseDto })
  async unschedule(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.unschedule(actor, id));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Pause a scheduled or sending campaign (takes effect mid-send)' })
  @ApiOkResponse({ type: CampaignResponseDto })
  async pause(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.pause(actor, id));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOkResponse({ type: CampaignResponseDto })
  async resume(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.resume(actor, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Cancel: nothing more is sent, and open WeCom tasks are cancelled' })
  @ApiOkResponse({ type: CampaignResponseDto })
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<CampaignResponseDto> {
    return CampaignResponseDto.from(await this.campaigns.cancel(actor, id));
  }

  @Post(':id/resend')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({
    summary: 'Send again to those not delivered (failed rows; optionally only some reasons)',
    description:
      'Skipped rows (opted out, erased, capped) stay skipped. 409 CAMPAIGN_NOTHING_TO_RESEND when none failed.',
  })
  async resend(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: CampaignResendDto = {},
  ): Promise<{ campaign: CampaignResponseDto; requeued: number }> {
    const { campaign, requeued } = await this.campaigns.resend(actor, id, dto ?? {});
    return { campaign: CampaignResponseDto.from(campaign), requeued };
  }

  @Post(':id/remind')
  @HttpCode(200)
  @Roles(...CAMPAIGN_WRITERS)
  @ApiOperation({ summary: 'Remind staff to confirm the open WeCom tasks (remind_groupmsg_send)' })
  remind(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string) {
    return this.campaigns.remind(actor, id);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @Roles(...CAMPAIGN_READERS)
  @ApiOperation({ summary: 'Audience size now, who would be skipped and why, and a few rendered messages' })
  dryRun(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<DryRun> {
    return this.campaigns.dryRun(p.brandId, id);
  }

  @Get(':id/progress')
  @Roles(...CAMPAIGN_READERS)
  @ApiOperation({ summary: 'Counts per status and variant, rate, ETA, failure reasons, WeCom tasks' })
  progress(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<CampaignProgress> {
    return this.progressService.progress(p.brandId, id);
  }

  @Sse(':id/progress/stream')
  @Roles(...CAMPAIGN_READERS)
  @ApiOperation({ summary: 'The progress as server-sent events (`progress`), until the campaign is final' })
  @ApiProduces('text/event-stream')
  async progressStream(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.progressService.progress(p.brandId, id); // 404 before the stream opens
    const every = this.config.get('CAMPAIGN_PROGRESS_INTERVAL_MS');
    return interval(every).pipe(
      startWith(0),
      switchMap(() => from(this.progressService.progress(p.brandId, id))),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
      takeWhile((pr) => !FINAL_STATUSES.includes(pr.status) || pr.remaining > 0, true),
      map((pr) => ({ type: 'progress', data: pr })),
    );
  }

  @Get(':id/deliveries')
  @Roles(...CAMPAIGN_READERS)
  @ApiOperation({ summary: 'The delivery ledger: one row per recipient with status and reason (keyset)' })
  @ApiOkResponse({ type: DeliveryPageDto })
  async deliveries(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: DeliveryQueryDto,
  ): Promise<DeliveryPageDto> {
    const page = await this.campaigns.deliveries(p.brandId, id, q);
    return { items: page.items.map((d) => DeliveryResponseDto.from(d)), nextCursor: page.nextCursor };
  }
}
