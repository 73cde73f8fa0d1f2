import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { BrandsService } from './brands.service';
import { BrandResponseDto, BrandUpdateDto } from './dto/brand.dto';

@ApiTags('brand')
@Controller('v1/brand')
export class BrandsController {
  constructor(private readonly brands: BrandsService) {}

  @Get()
  @Roles('operator', 'community_manager', 'marketer')
  @ApiOperation({ summary: "The caller's brand: time zone, currency, quiet hours, frequency cap" })
  @ApiOkResponse({ type: BrandResponseDto })
  async get(@CurrentPrincipal() p: Principal): Promise<BrandResponseDto> {
    return BrandResponseDto.from(await this.brands.get(p.brandId));
  }

  @Patch()
  @Roles('owner')
  @ApiOperation({ summary: "Change the brand's settings (owner only; audited)" })
  @ApiOkResponse({ type: BrandResponseDto })
  async update(@CurrentActor() actor: Actor, @Body() dto: BrandUpdateDto): Promise<BrandResponseDto> {
    return BrandResponseDto.from(await this.brands.update(actor, dto));
  }
}
