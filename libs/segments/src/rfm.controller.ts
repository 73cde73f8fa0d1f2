import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles } from '@siyu/platform';
import { RfmRecomputeResponseDto, RfmSummaryResponseDto } from './dto/rfm-response.dto';
import { RfmService } from './rfm.service';
import { SEGMENT_READERS, SEGMENT_WRITERS } from './segments.roles';

@ApiTags('segments')
@ApiBearerAuth()
@Controller('v1/segments/rfm')
export class RfmController {
  constructor(private readonly rfm: RfmService) {}

  @Get()
  @Roles(...SEGMENT_READERS)
  @ApiOperation({ summary: 'RFM: when it was last computed and how many members are in each group' })
  @ApiOkResponse({ type: RfmSummaryResponseDto })
  async summary(@CurrentPrincipal() p: Principal): Promise<RfmSummaryResponseDto> {
    return Object.assign(new RfmSummaryResponseDto(), await this.rfm.summary(p.brandId));
  }

  @Post('recompute')
  @HttpCode(202)
  @Roles(...SEGMENT_WRITERS)
  @ApiOperation({
    summary: 'Queue an RFM recompute now (it also runs nightly in the brand’s time zone); audited',
  })
  @ApiAcceptedResponse({ type: RfmRecomputeResponseDto })
  async recompute(@CurrentActor() actor: Actor): Promise<RfmRecomputeResponseDto> {
    const item = await this.rfm.requestRecompute(actor);
    return Object.assign(new RfmRecomputeResponseDto(), { workItemId: item.id, status: item.status });
  }
}
