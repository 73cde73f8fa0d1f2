import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { MIN_PASSWORD_LENGTH } from '../../tenancy/brands.service';
import { Operator } from '../entities/operator.entity';
import { Role, ROLES } from '../roles';

const lower = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;

export class OperatorCreateDto {
  @ApiProperty({ example: 'cm@brand.example' })
  @Transform(lower)
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ maxLength: 120 })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({ minLength: MIN_PASSWORD_LENGTH })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(200)
  password: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class OperatorUpdateDto {
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ minLength: MIN_PASSWORD_LENGTH })
  @IsOptional()
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(200)
  password?: string;

  @ApiPropertyOptional({ description: 'true disables the account and ends its sessions' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class OperatorResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty() disabled: boolean;
  @ApiProperty({ nullable: true, type: Date }) lastLoginAt: Date | null;
  @ApiProperty() createdAt: Date;

  static from(o: Operator): OperatorResponseDto {
    return Object.assign(new OperatorResponseDto(), {
      id: o.id,
      email: o.email,
      name: o.name,
      role: o.role,
      disabled: o.disabledAt !== null,
      lastLoginAt: o.lastLoginAt,
      createdAt: o.createdAt,
    });
  }
}

export class OperatorPageDto {
  @ApiProperty({ type: [OperatorResponseDto] }) items: OperatorResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
