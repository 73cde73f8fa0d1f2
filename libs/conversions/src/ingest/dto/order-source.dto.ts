import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORDER_SOURCE_PATTERN } from '@siyu/commerce';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ORDER_SOURCE_KINDS, OrderSourceKind } from '../entities/order-source.entity';

export class OrderSourceCreateDto {
  @ApiProperty({ enum: ORDER_SOURCE_KINDS, example: 'shopify' })
  @IsIn(ORDER_SOURCE_KINDS)
  kind: OrderSourceKind;

  @ApiProperty({ example: 'Tmall flagship (Shopify)' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({
    description:
      'The `source` its orders are recorded under (a lower-case slug, unique in the brand). Defaults: generic → webhook, shopify → shopify, affiliate → aliexpress',
    example: 'shopify',
    pattern: ORDER_SOURCE_PATTERN,
  })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(ORDER_SOURCE_PATTERN), {
    message: 'slug must be a lower-case slug of 1–40 characters (a-z, 0-9, _ . -)',
  })
  slug?: string;
}

export class OrderSourceRotateDto {
  @ApiPropertyOptional({
    description: 'How long the previous secret stays valid, in seconds (default 86400, 0 to revoke it now)',
    minimum: 0,
    maximum: 604800,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604_800)
  graceSeconds?: number;
}

export class OrderSourceResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ORDER_SOURCE_KINDS }) kind: OrderSourceKind;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'The `source` of its orders in /v1/orders' }) slug: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status: 'active' | 'disabled';
  @ApiPropertyOptional({ description: 'Where the sender posts (generic and shopify)', nullable: true })
  webhookPath: string | null;
  @ApiPropertyOptional({
    description: 'The signing secret: only in the answer that created or rotated it, never again',
    nullable: true,
  })
  secret?: string;
  @ApiPropertyOptional({ nullable: true }) previousSecretExpiresAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) secretRotatedAt: Date | null;
  @ApiPropertyOptional({ nullable: true }) disabledAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class OrderSourcePageDto {
  @ApiProperty({ type: [OrderSourceResponseDto] }) items: OrderSourceResponseDto[];
  @ApiPropertyOptional({ nullable: true }) nextCursor: string | null;
}
