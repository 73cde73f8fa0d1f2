import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import type { ConfirmMode, LimitPeriod, SimConfig } from './sim-config';

/** Body of POST /_sim/config: any subset of SimConfig. `null` clears the secret maps and the key path. */
export class SimConfigUpdateDto implements Partial<SimConfig> {
  @IsOptional() @IsInt() @Min(1) tokenTtlSeconds?: number;
  @ValidateIf((_o, v) => v !== null && v !== undefined) @IsObject() corpSecrets?: Record<
    string,
    string
  > | null;
  @ValidateIf((_o, v) => v !== null && v !== undefined) @IsObject() appSecrets?: Record<
    string,
    string
  > | null;
  @IsOptional() @IsIn(['immediate', 'delay', 'manual']) confirmMode?: ConfirmMode;
  @IsOptional() @IsInt() @Min(0) confirmDelayMs?: number;
  @IsOptional() @IsInt() @Min(0) taskCreateDelayMs?: number;
  @IsOptional() @IsBoolean() notReadyBeforeConfirm?: boolean;
  @IsOptional() @IsInt() @Min(0) customerLimit?: number;
  @IsOptional() @IsInt() @Min(0) groupLimit?: number;
  @IsOptional() @IsIn(['day', 'month']) limitPeriod?: LimitPeriod;
  @IsOptional() @IsInt() @Min(-12) @Max(14) utcOffsetHours?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) notFriends?: string[];
  @IsOptional() @IsArray() @IsString({ each: true }) invalidExternalUserIds?: string[];
  @IsOptional() @IsArray() @IsString({ each: true }) blockedOpenids?: string[];
  @IsOptional() @IsString() defaultSender?: string;
  @IsOptional() @IsInt() @Min(0) welcomeCodeTtlMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10_000) keepPayloadsPerRecipient?: number;
  @IsOptional() @IsInt() @Min(0) maxStoredPayloads?: number;
  @ValidateIf((_o, v) => v !== null && v !== undefined) @IsString() dedupeKeyPath?: string | null;
}
