import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BrandResponseDto } from '../../tenancy/dto/brand.dto';
import { ROLES } from '../roles';

export class MeResponseDto {
  @ApiProperty({ enum: ['operator', 'api_key'] }) kind: 'operator' | 'api_key';
  @ApiProperty() id: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() name?: string;
  @ApiProperty({ type: BrandResponseDto }) brand: BrandResponseDto;
}
