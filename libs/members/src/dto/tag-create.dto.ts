import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export const TAG_NAME = /^(?=.*\S)[^|\r\n]{1,60}$/;

export class TagCreateDto {
  @ApiProperty({
    example: '高复购',
    maxLength: 60,
    description: 'Unique in the brand; no "|" (the import’s tag separator)',
  })
  @IsString()
  @Matches(TAG_NAME, { message: 'name must be 1–60 characters, not blank, without "|" or line breaks' })
  name: string;

  @ApiPropertyOptional({ example: '#E4572E' })
  @IsOptional()
  @IsString()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'color must be a hex colour such as #E4572E' })
  color?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;
}
