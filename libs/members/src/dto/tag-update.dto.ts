import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { TAG_NAME } from './tag-create.dto';

export class TagUpdateDto {
  @ApiPropertyOptional({ maxLength: 60 })
  @IsOptional()
  @IsString()
  @Matches(TAG_NAME, { message: 'name must be 1–60 characters, not blank, without "|" or line breaks' })
  name?: string;

  @ApiPropertyOptional({ nullable: true, type: String, example: '#E4572E', description: 'null clears it' })
  @ValidateIf((o: TagUpdateDto) => o.color !== null && o.color !== undefined)
  @IsString()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'color must be a hex colour such as #E4572E' })
  color?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 200, description: 'null clears it' })
  @ValidateIf((o: TagUpdateDto) => o.description !== null && o.description !== undefined)
  @IsString()
  @MaxLength(200)
  description?: string | null;
}
