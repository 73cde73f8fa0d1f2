import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { AuditService } from './audit.service';
import { AuditEntryResponseDto, AuditPageDto } from './dto/audit-entry-response.dto';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Controller('v1/audit-log')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Roles('owner', 'operator')
  @ApiOperation({ summary: 'Who changed what and when, newest first (keyset-paginated)' })
  @ApiOkResponse({ type: AuditPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: AuditQueryDto): Promise<AuditPageDto> {
    const page = await this.audit.list(p.brandId, q);
    return { items: page.items.map((e) => AuditEntryResponseDto.from(e)), nextCursor: page.nextCursor };
  }
}
