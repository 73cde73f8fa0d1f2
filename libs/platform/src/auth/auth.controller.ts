import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { BrandsService } from '../tenancy/brands.service';
import { BrandResponseDto } from '../tenancy/dto/brand.dto';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, TokenResponseDto } from './dto/auth.dto';
import { MeResponseDto } from './dto/me.dto';
import { OperatorsService } from './operators.service';
import { CurrentPrincipal, Principal, Public, Roles } from './principal';
import { ROLES } from './roles';

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly brands: BrandsService,
    private readonly operators: OperatorsService,
  ) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for an access token and a refresh token' })
  @ApiOkResponse({ type: TokenResponseDto })
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<TokenResponseDto> {
    return this.auth.login(dto.email, dto.password, req.ip);
  }

  @Post('auth/refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token into a new token pair' })
  @ApiOkResponse({ type: TokenResponseDto })
  refresh(@Body() dto: RefreshDto): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('auth/logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a refresh token (and the session it belongs to)' })
  @ApiNoContentResponse()
  async logout(@Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiBearerAuth()
  @ApiSecurity('api-key')
  @ApiOperation({ summary: 'The caller: operator or API key, its role and brand' })
  @ApiOkResponse({ type: MeResponseDto })
  async me(@CurrentPrincipal() p: Principal): Promise<MeResponseDto> {
    const brand = BrandResponseDto.from(await this.brands.get(p.brandId));
    if (p.kind === 'api_key') return { kind: p.kind, id: p.id, role: p.role, brand };
    const op = await this.operators.get(p.brandId, p.id);
    return { kind: p.kind, id: p.id, role: op.role, email: op.email, name: op.name, brand };
  }
}
