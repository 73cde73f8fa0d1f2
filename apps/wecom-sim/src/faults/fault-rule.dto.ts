import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export type OutageMode = 'error' | 'refuse' | 'hang';
export type RateLimitKey = 'account' | 'sender';

/** A window in which matching calls fail: errcode -1, a reset connection, or a hang then reset. */
export class FaultOutageDto {
  @IsInt() @Min(1) durationMs: number;
  @IsOptional() @IsInt() @Min(0) startInMs?: number;
  @IsOptional() @IsIn(['error', 'refuse', 'hang']) mode?: OutageMode;
  /** For `hang`: how long to hold the connection before resetting it (default: to the window's end). */
  @IsOptional() @IsInt() @Min(0) hangMs?: number;
}

/** Calls per second allowed per account (corpid/appid) or per sender; above it errcode 45009. */
export class FaultRateLimitDto {
  @IsNumber() @Min(0) perSecond: number;
  @IsOptional() @IsIn(['account', 'sender']) by?: RateLimitKey;
}

/**
 * One fault rule. `path` matches the API after /cgi-bin/ by its last segments
 * (`add_msg_template`, `message/template/send`); omitted, every /cgi-bin API. A rule may combine
 * effects; `errcode` without `rate` fails every matching call.
 */
export class FaultRuleDto {
  @IsOptional() @IsString() path?: string;
  @IsOptional() @IsInt() errcode?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(1) rate?: number;
  @IsOptional() @IsString() errmsg?: string;
  /** Added latency: a fixed number of ms, or [min, max] drawn uniformly. */
  @IsOptional() @IsNumber({}, { each: true }) latencyMs?: number | [number, number];
  @IsOptional() @ValidateNested() @Type(() => FaultOutageDto) outage?: FaultOutageDto;
  @IsOptional() @ValidateNested() @Type(() => FaultRateLimitDto) rateLimit?: FaultRateLimitDto;
}

/** Body of POST /_sim/faults (a bare rule or a bare array of rules is accepted too). */
export class FaultsAddDto {
  /** Seed for the rules' random draws (error rate, latency range); same seed, same sequence. */
  @IsOptional() @IsInt() seed?: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => FaultRuleDto) rules: FaultRuleDto[];
}
