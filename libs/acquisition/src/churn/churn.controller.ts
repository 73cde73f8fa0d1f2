import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, PageQueryDto, Principal, Roles } from '@siyu/platform';
import { GROWTH_READERS, GROWTH_WRITERS } from '../common/growth.roles';
import { ChurnService } from './churn.service';
import {
  ChurnEventPageDto,
  ChurnRatesQueryDto,
  ChurnRatesResponseDto,
  ChurnSettingsPutDto,
  ChurnSettingsResponseDto,
} from './dto/churn.dto';

@ApiTags('acquisition')
@ApiBearerAuth()
@Controller('v1/acquisition/churn')
export class ChurnController {
  constructor(private readonly churn: ChurnService) {}

  @Get('settings')
  @Roles(...GROWTH_READERS)
  @ApiOkResponse({ type: ChurnSettingsResponseDto })
  settings(@CurrentPrincipal() p: Principal): Promise<ChurnSettingsResponseDto> {
    return this.churn.settings(p.brandId);
  }

  @Put('settings')
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({
    summary: 'How lost contacts are alerted: a WeCom app message to the staff member and/or a signed webhook',
  })
  @ApiOkResponse({ type: ChurnSettingsResponseDto })
  putSettings(
    @CurrentActor() actor: Actor,
    @Body() dto: ChurnSettingsPutDto,
  ): Promise<ChurnSettingsResponseDto> {
    return this.churn.putSettings(actor, dto);
  }

  @Get('events')
  @Roles(...GROWTH_READERS)
  @ApiOperation({ summary: 'Lost WeCom relationships, newest first, with their alerts' })
  @ApiOkResponse({ type: ChurnEventPageDto })
  events(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<ChurnEventPageDto> {
    return this.churn.events(p.brandId, q.limit, q.cursor);
  }

  @Get('rates')
  @Roles(...GROWTH_READERS)
  @ApiOperation({ summary: 'Churn rate per staff member or per contact-way state over a period' })
  @ApiOkResponse({ type: ChurnRatesResponseDto })
  rates(@CurrentPrincipal() p: Principal, @Query() q: ChurnRatesQueryDto): Promise<ChurnRatesResponseDto> {
    return this.churn.rates(p.brandId, q);
  }
}
