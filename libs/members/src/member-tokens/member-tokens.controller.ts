import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, Public, Roles, uuidParam } from '@siyu/platform';
import { MEMBER_WRITERS } from '../members.roles';
import { MemberAuthGuard } from './member-auth.guard';
import { CurrentMember, MemberPrincipal } from './member-principal';
import { MemberSessionResponseDto, MemberTokenCreateDto, MemberTokenResponseDto } from './member-token.dto';
import { MemberTokenService } from './member-token.service';

@ApiTags('members')
@ApiBearerAuth()
@Controller('v1')
export class MemberTokensController {
  constructor(private readonly tokens: MemberTokenService) {}

  @Post('members/:id/tokens')
  @Roles(...MEMBER_WRITERS)
  @ApiOperation({
    summary: 'Mint a short-lived member token for one member (for an H5 / mini-program page); audited',
    description:
      'Default 30 minutes, at most 24 h. 404 for another brand’s member, 409 when erased or merged.',
  })
  @ApiCreatedResponse({ type: MemberTokenResponseDto })
  issue(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: MemberTokenCreateDto = {},
  ): Promise<MemberTokenResponseDto> {
    return this.tokens.issue(actor, id, dto?.ttlSeconds);
  }

  @Get('member-session')
  @Public()
  @UseGuards(MemberAuthGuard)
  @ApiOperation({ summary: 'Who a member token is for (member tokens only)' })
  @ApiOkResponse({ type: MemberSessionResponseDto })
  session(@CurrentMember() member: MemberPrincipal): MemberSessionResponseDto {
    return { memberId: member.memberId, brandId: member.brandId, expiresAt: member.expiresAt };
  }
}
