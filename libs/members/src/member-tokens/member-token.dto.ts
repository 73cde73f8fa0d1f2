import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MEMBER_TOKEN_DEFAULT_TTL_SECONDS, MEMBER_TOKEN_MAX_TTL_SECONDS } from './member-token.service';

export class MemberTokenCreateDto {
  @ApiPropertyOptional({
    minimum: 60,
    maximum: MEMBER_TOKEN_MAX_TTL_SECONDS,
    default: MEMBER_TOKEN_DEFAULT_TTL_SECONDS,
  })
  @IsOptional()
  @IsInt()
  @Min(60)
  @Max(MEMBER_TOKEN_MAX_TTL_SECONDS)
  ttlSeconds?: number;
}

export class MemberTokenResponseDto {
  @ApiProperty({ description: 'JWT for Authorization: Bearer on member routes' }) token: string;
  @ApiProperty({ example: 'Bearer' }) tokenType: 'Bearer';
  @ApiProperty() memberId: string;
  @ApiProperty({ description: 'Seconds until it expires' }) expiresIn: number;
  @ApiProperty() expiresAt: Date;
}

export class MemberSessionResponseDto {
  @ApiProperty() memberId: string;
  @ApiProperty() brandId: string;
  @ApiProperty() expiresAt: Date;
}
