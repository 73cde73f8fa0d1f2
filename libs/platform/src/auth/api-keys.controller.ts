import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PageQueryDto } from '../http/pagination';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyCreateDto, ApiKeyCreatedDto, ApiKeyPageDto, ApiKeyResponseDto } from './dto/api-key.dto';
import { uuidParam } from '../http/params';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles } from './principal';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
@Roles('owner')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  @ApiOkResponse({ type: ApiKeyPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<ApiKeyPageDto> {
    const page = await this.keys.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((k) => ApiKeyResponseDto.from(k)), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key with a role. The key is in this response only.' })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: ApiKeyCreateDto): Promise<ApiKeyCreatedDto> {
    const { key, secret } = await this.keys.create(actor, dto);
    return Object.assign(new ApiKeyCreatedDto(), ApiKeyResponseDto.from(key), { key: secret });
  }

  @Get(':id')
  @ApiOkResponse({ type: ApiKeyResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.keys.get(p.brandId, id));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key (audited); it stops working at once' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  async revoke(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.keys.revoke(actor, id));
  }
}
