import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { MemberTierResponseDto } from './dto/member-tier-response.dto';
import { TierHistoryService } from './tier-history.service';
import { TIER_READERS } from './tiers.roles';

@ApiTags('tiers')
@ApiBearerAuth()
@Controller('v1/members')
export class MemberTierController {
  constructor(private readonly history: TierHistoryService) {}

  @Get(':id/tier')
  @Roles(...TIER_READERS)
  @ApiOperation({
    summary: 'A member’s tier: since when, grace state, progress to the next tier, history newest first',
  })
  @ApiOkResponse({ type: MemberTierResponseDto })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<MemberTierResponseDto> {
    return this.history.memberTier(p.brandId, id);
  }
}
