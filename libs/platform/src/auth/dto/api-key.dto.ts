import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { ApiKey } from '../entities/api-key.entity';
import { Role, ROLES } from '../roles';

export class ApiKeyCreateDto {
  @ApiProperty({ example: 'store webhook relay' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  name: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ApiKeyResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Public prefix to recognise the key; the secret is never shown again' })
  prefix: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty() revoked: boolean;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiProperty() createdAt: Date;

  static from(k: ApiKey): ApiKeyResponseDto {
    return Object.assign(new ApiKeyResponseDto(), {
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      role: k.role,
      revoked: k.revokedAt !== null,
      lastUsedAt: k.lastUsedAt,
      createdAt: k.createdAt,
    });
  }
}

export class ApiKeyCreatedDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'The full key. Shown once: store it now.' }) key: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items: ApiKeyResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
