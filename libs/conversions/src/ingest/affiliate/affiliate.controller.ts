import type { MultipartFile } from '@fastify/multipart';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ORDER_READERS, ORDER_WRITERS } from '@siyu/commerce';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  DomainException,
  NotFoundException,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import type { FastifyRequest } from 'fastify';
import { AffiliateBatchResponseDto, AffiliateOrdersBatchDto } from '../dto/affiliate.dto';
import { IngestException } from '../ingest.errors';
import { OrderSourcesService } from '../sources/order-sources.service';
import { AFFILIATE_COLUMNS, REQUIRED_COLUMNS } from './affiliate-row';
import { AffiliateImportsService, AffiliateImportView } from './affiliate-imports.service';
import { AffiliateOrdersService } from './affiliate-orders.service';

/** Largest report file accepted. */
export const AFFILIATE_IMPORT_MAX_BYTES = 64 * 1_048_576;

@ApiTags('affiliate-orders')
@ApiBearerAuth()
@Controller('v1/order-sources/:id')
export class AffiliateController {
  constructor(
    private readonly sources: OrderSourcesService,
    private readonly affiliate: AffiliateOrdersService,
    private readonly imports: AffiliateImportsService,
  ) {}

  @Post('affiliate-orders')
  @HttpCode(200)
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Report rows by API (up to 1,000): each becomes or moves an order, keyed by sub_order_id',
    description:
      'Rows equal to what is recorded are unchanged (no-op); a new status moves the order (paid → refunded / cancelled) and its commission. Bad rows are reported by index with the column and reason; good rows are kept.',
  })
  @ApiOkResponse({ type: AffiliateBatchResponseDto })
  async batch(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: AffiliateOrdersBatchDto,
  ): Promise<AffiliateBatchResponseDto> {
    const source = await this.sources.active(actor.brandId, id, 'affiliate');
    const ctx = await this.affiliate.context(actor.brandId);
    const results = await this.affiliate.apply(
      actor,
      source,
      dto.orders.map((values, i) => ({ line: i, values })),
      ctx,
    );
    const n = (o: string) => results.filter((r) => r.outcome === o).length;
    return {
      received: results.length,
      created: n('created'),
      updated: n('updated'),
      unchanged: n('unchanged'),
      failed: n('failed'),
      results: results.map(({ line, ...r }) => ({ index: line, ...r })),
    };
  }

  @Get('affiliate-orders/:subOrderId')
  @Roles(...ORDER_READERS)
  @ApiOperation({ summary: 'A sub-order’s line: its order, commission and status history' })
  async line(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Param('subOrderId') subOrderId: string,
  ): Promise<Record<string, unknown>> {
    await this.sources.get(p.brandId, id);
    const line = await this.affiliate.line(p.brandId, id, subOrderId);
    if (!line) throw new NotFoundException('affiliate order', subOrderId);
    return line;
  }

  @Post('affiliate-imports')
  @HttpCode(202)
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Upload an affiliate order report (CSV, streamed); the worker applies it',
    description: `Columns (header names, case and spaces ignored; other columns ignored): ${AFFILIATE_COLUMNS.join(', ')}; required: ${REQUIRED_COLUMNS.join(', ')}.`,
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiAcceptedResponse({ description: 'The import and its progress' })
  async upload(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Req() req: FastifyRequest,
  ): Promise<AffiliateImportView> {
    const source = await this.sources.active(actor.brandId, id, 'affiliate');
    if (!req.isMultipart()) throw IngestException.fileMissing();
    let file: MultipartFile | undefined;
    try {
      file = await req.file({ limits: { fileSize: AFFILIATE_IMPORT_MAX_BYTES } });
    } catch (err) {
      if (err instanceof DomainException || typeof (err as { statusCode?: unknown }).statusCode === 'number')
        throw err;
      throw IngestException.malformed(undefined, err instanceof Error ? err.message : String(err));
    }
    if (!file || file.fieldname !== 'file') throw IngestException.fileMissing();
    return this.imports.create(actor, source, {
      filename: file.filename,
      stream: file.file,
      maxBytes: AFFILIATE_IMPORT_MAX_BYTES,
    });
  }

  @Get('affiliate-imports')
  @Roles(...ORDER_READERS)
  async list(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: PageQueryDto,
  ): Promise<{ items: AffiliateImportView[]; nextCursor: string | null }> {
    await this.sources.get(p.brandId, id);
    return this.imports.list(p.brandId, id, q.limit, q.cursor);
  }

  @Get('affiliate-imports/:importId')
  @Roles(...ORDER_READERS)
  @ApiOperation({ summary: 'Progress: rows processed of total, percent, created/updated/unchanged/failed' })
  get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Param('importId', uuidParam) importId: string,
  ): Promise<AffiliateImportView> {
    return this.imports.get(p.brandId, id, importId);
  }

  @Get('affiliate-imports/:importId/errors')
  @Roles(...ORDER_READERS)
  @ApiOperation({ summary: 'Skipped rows: line, field (the column), reason; `afterLine` pages on' })
  async errors(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Param('importId', uuidParam) importId: string,
    @Query('afterLine') afterLine?: string,
  ): Promise<{ items: Array<{ line: number; field: string; reason: string }> }> {
    const after = afterLine !== undefined && /^\d{1,9}$/.test(afterLine) ? Number(afterLine) : 0;
    return { items: await this.imports.errors(p.brandId, id, importId, after) };
  }
}
