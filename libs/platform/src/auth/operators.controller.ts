import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { uuidParam as uuid } from '../http/params';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { PageQueryDto } from '../http/pagination';
import {
  OperatorCreateDto,
  OperatorPageDto,
  OperatorResponseDto,
  OperatorUpdateDto,
} from './dto/operator.dto';
import { OperatorsService } from './operators.service';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles } from './principal';

@ApiTags('operators')
@ApiBearerAuth()
@Controller('v1/operators')
@Roles('owner')
export class OperatorsController {
  constructor(private readonly operators: OperatorsService) {}

  @Get()
  @ApiOperation({ summary: "The brand's operators (owner only)" })
  @ApiOkResponse({ type: OperatorPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<OperatorPageDto> {
    const page = await this.operators.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((o) => OperatorResponseDto.from(o)), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Add an operator with a role (owner only; audited)' })
  @ApiCreatedResponse({ type: OperatorResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: OperatorCreateDto): Promise<OperatorResponseDto> {
    return OperatorResponseDto.from(await this.operators.create(actor, dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: OperatorResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuid) id: string): Promise<OperatorResponseDto> {
    return OperatorResponseDto.from(await this.operators.get(p.brandId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, role or password, or disable (owner only; audited)' })
  @ApiOkResponse({ type: OperatorResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuid) id: string,
    @Body() dto: OperatorUpdateDto,
  ): Promise<OperatorResponseDto> {
    return OperatorResponseDto.from(await this.operators.update(actor, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an operator: the account is disabled and its sessions end' })
  @ApiNoContentResponse()
  async remove(@CurrentActor() actor: Actor, @Param('id', uuid) id: string): Promise<void> {
    await this.operators.remove(actor, id);
  }
}
