import type { MultipartFile } from '@fastify/multipart';
import {
  Controller,
  Get,
  HttpCode,
  MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Sse,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
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
  DomainException,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import type { FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { MemberImportPageDto, MemberImportResponseDto } from './dto/member-import-response.dto';
import { IMPORT_COLUMNS, IMPORT_HEADER_EXAMPLE } from './member-import.csv';
import { MemberImportsService } from './member-imports.service';
import { MemberException } from './members.errors';
import { MEMBER_READERS, MEMBER_WRITERS } from './members.roles';

@ApiTags('member-imports')
@ApiBearerAuth()
@Controller('v1/members/imports')
export class MemberImportsController {
  constructor(
    private readonly imports: MemberImportsService,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles(...MEMBER_WRITERS)
  @ApiOperation({
    summary: 'Upload a member CSV (streamed); it is applied by the worker',
    description:
      `Header (any order, any subset with one identity column): ${IMPORT_COLUMNS.join(',')}. ` +
      'phone: E.164 or a mainland China number; openid needs app_id; tags separated by "|"; consent: opted_in|opted_out; ' +
      'birthday YYYY-MM-DD; joined_at ISO 8601 (brand time zone when no offset). Bad rows are reported per row and skipped; ' +
      'importing the same file again creates no duplicates.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: `CSV, e.g. header ${IMPORT_HEADER_EXAMPLE}` },
      },
    },
  })
  @ApiAcceptedResponse({ type: MemberImportResponseDto })
  async upload(@CurrentActor() actor: Actor, @Req() req: FastifyRequest): Promise<MemberImportResponseDto> {
    if (!req.isMultipart()) throw MemberException.fileMissing();
    const maxBytes = this.config.get('MEMBER_IMPORT_MAX_BYTES');
    let file: MultipartFile | undefined;
    try {
      file = await req.file({ limits: { fileSize: maxBytes } });
    } catch (err) {
      if (err instanceof DomainException || typeof (err as { statusCode?: unknown }).statusCode === 'number')
        throw err;
      throw MemberException.uploadBroken(err instanceof Error ? err.message : String(err));
    }
    if (!file || file.fieldname !== 'file') throw MemberException.fileMissing();
    return MemberImportResponseDto.from(
      await this.imports.create(actor, { filename: file.filename, stream: file.file, maxBytes }),
    );
  }

  @Get()
  @Roles(...MEMBER_READERS)
  @ApiOkResponse({ type: MemberImportPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<MemberImportPageDto> {
    const page = await this.imports.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((r) => MemberImportResponseDto.from(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'Progress: rows processed of total, percent, and counts inserted/updated/failed' })
  @ApiOkResponse({ type: MemberImportResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<MemberImportResponseDto> {
    return MemberImportResponseDto.from(await this.imports.get(p.brandId, id));
  }

  @Sse(':id/events')
  @Roles(...MEMBER_READERS)
  @ApiOperation({
    summary: 'Server-sent events: the import’s state whenever it changes, until it completes or fails',
  })
  @ApiProduces('text/event-stream')
  async events(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<Observable<MessageEvent>> {
    await this.imports.get(p.brandId, id);
    return this.imports.watch(p.brandId, id).pipe(map((state) => ({ type: 'progress', data: state })));
  }

  @Get(':id/errors.csv')
  @Roles(...MEMBER_READERS)
  @ApiOperation({ summary: 'The rows that were skipped: line, field, reason, value (CSV)' })
  @ApiProduces('text/csv')
  async errors(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<StreamableFile> {
    const stream = await this.imports.errorsCsv(p.brandId, id);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="member-import-${id}-errors.csv"`,
    });
  }
}
