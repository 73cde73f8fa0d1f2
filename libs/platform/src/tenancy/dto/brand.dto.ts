import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { HHMM, IsCurrencyCode, IsTimeZone } from '../../http/validators';
import { Brand } from '../entities/brand.entity';

export class BrandUpdateDto {
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ example: 'Asia/Shanghai' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ example: 'CNY' })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({
    example: '22:00',
    nullable: true,
    description: 'Local start of quiet hours; null for none',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(HHMM, { message: 'quietHoursStart must be HH:MM' })
  quietHoursStart?: string | null;

  @ApiPropertyOptional({ example: '08:00', nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Matches(HHMM, { message: 'quietHoursEnd must be HH:MM' })
  quietHoursEnd?: string | null;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100,
    description: 'Marketing messages allowed per member per window',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  frequencyCapCount?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 720 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(720)
  frequencyCapWindowHours?: number;
}

export class BrandResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() timeZone: string;
  @ApiProperty() currency: string;
  @ApiProperty({ nullable: true, type: String }) quietHoursStart: string | null;
  @ApiProperty({ nullable: true, type: String }) quietHoursEnd: string | null;
  @ApiProperty() frequencyCapCount: number;
  @ApiProperty() frequencyCapWindowHours: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(b: Brand): BrandResponseDto {
    const hhmm = (t: string | null) => (t ? t.slice(0, 5) : null);
    return Object.assign(new BrandResponseDto(), {
      id: b.id,
      name: b.name,
      timeZone: b.timeZone,
      currency: b.currency.trim(),
      quietHoursStart: hhmm(b.quietHoursStart),
      quietHoursEnd: hhmm(b.quietHoursEnd),
      frequencyCapCount: b.frequencyCapCount,
      frequencyCapWindowHours: b.frequencyCapWindowHours,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    });
  }
}
