import type { MultipartFile } from '@fastify/multipart';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { AFFILIATE_COLUMNS, REQUIRED_COLUMNS } from '@siyu/conversions';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  DomainException,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
  ValidationException,
} from '@siyu/platform';
import type { FastifyRequest } from 'fastify';
import { PARTNER_RISK_READERS, PARTNER_RISK_WRITERS } from '../partners-risk.roles';
import {
  ReconciliationCreateDto,
  ReconciliationLineQueryDto,
  ReconciliationResolveDto,
} from './dto/reconciliation-input.dto';
import {
  ReconciliationLinePageResponseDto,
  ReconciliationLineResponseDto,
  ReconciliationPageResponseDto,
  ReconciliationResponseDto,
} from './dto/reconciliation-response.dto';
import { PartnerReconciliationException } from './reconciliation.errors';
import { ReconciliationService } from './reconciliation.service';

/** Largest report accepted (a run is read and matched inside the request's transaction). */
export const RECONCILIATION_MAX_BYTES = 16 * 1_048_576;

const lineIdOf = (v: string) => {
  if (!/^[1-9]\d{0,17}$/.test(v))
    throw new ValidationException([{ field: 'lineId', message: 'lineId must be a line id' }]);
  return v;
};

@ApiTags('partner-reconciliations')
@ApiBearerAuth()
@Controller('v1/partner-reconciliations')
export class ReconciliationController {
  constructor(private readonly recon: ReconciliationService) {}

  @Post()
  @Roles(...PARTNER_RISK_WRITERS)
  @ApiOperation({
    summary:
      "Upload an affiliate programme's commission report (CSV) and match it against Siyu's ledger; audited",
    description: `Query: sourceId (an affiliate order source), from/to (the paid-time period; Siyu's lines in it that the report lacks are missing_in_report). Columns as order reports: ${AFFILIATE_COLUMNS.join(', ')}; required: ${REQUIRED_COLUMNS.join(', ')}. Each line is matched, amount_mismatch, status_mismatch, missing_in_siyu, missing_in_report, or invalid (a row that cannot be read).`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: ReconciliationResponseDto })
  async create(
    @CurrentActor() actor: Actor,
    @Query() q: ReconciliationCreateDto,
    @Req() req: FastifyRequest,
  ): Promise<ReconciliationResponseDto> {
    const from = new Date(q.from);
    const to = new Date(q.to);
    if (!(from < to)) throw new ValidationException([{ field: 'to', message: 'to must be after from' }]);
    if (!req.isMultipart()) throw PartnerReconciliationException.fileMissing();
    let file: MultipartFile | undefined;
    try {
      file = await req.file({ limits: { fileSize: RECONCILIATION_MAX_BYTES } });
    } catch (err) {
      if (err instanceof DomainException || typeof (err as { statusCode?: unknown }).statusCode === 'number')
        throw err;
      throw PartnerReconciliationException.malformed(err instanceof Error ? err.message : String(err));
    }
    if (!file || file.fieldname !== 'file') throw PartnerReconciliationException.fileMissing();
    const run = await this.recon.create(
      actor,
      { sourceId: q.sourceId, from, to },
      { filename: file.filename, stream: file.file, maxBytes: RECONCILIATION_MAX_BYTES },
    );
    return ReconciliationResponseDto.from(run);
  }

  @Get()
  @Roles(...PARTNER_RISK_READERS)
  @ApiOkResponse({ type: ReconciliationPageResponseDto })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: PageQueryDto,
  ): Promise<ReconciliationPageResponseDto> {
    const page = await this.recon.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((r) => ReconciliationResponseDto.from(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({ summary: 'A run: counts per kind, both sides’ commission totals, differences still open' })
  @ApiOkResponse({ type: ReconciliationResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ReconciliationResponseDto> {
    return ReconciliationResponseDto.from(await this.recon.get(p.brandId, id));
  }

  @Get(':id/lines')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({ summary: 'The run’s lines in order (keyset-paginated; filters kind, unresolved)' })
  @ApiOkResponse({ type: ReconciliationLinePageResponseDto })
  async lines(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: ReconciliationLineQueryDto,
  ): Promise<ReconciliationLinePageResponseDto> {
    const page = await this.recon.lines(p.brandId, id, q);
    return {
      items: page.items.map((l) => ReconciliationLineResponseDto.from(l)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id/export')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({ summary: 'Every line as CSV (amounts in minor units); audited' })
  @ApiProduces('text/csv')
  async export(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<StreamableFile> {
    const stream = await this.recon.exportCsv(actor, id);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="reconciliation-${id}.csv"`,
    });
  }

  @Post(':id/lines/:lineId/resolution')
  @HttpCode(200)
  @Roles(...PARTNER_RISK_WRITERS)
  @ApiOperation({ summary: 'Resolve a difference once: accept_report, accept_siyu or note; audited' })
  @ApiOkResponse({ type: ReconciliationLineResponseDto })
  async resolve(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Param('lineId') lineId: string,
    @Body() dto: ReconciliationResolveDto,
  ): Promise<ReconciliationLineResponseDto> {
    const line = await this.recon.resolve(actor, id, lineIdOf(lineId), dto.resolution, dto.note);
    return ReconciliationLineResponseDto.from(line);
  }
}
