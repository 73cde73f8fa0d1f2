import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';

export class SimResetDto {
  /** Keep the current /_sim/config instead of returning to the initial one. */
  @IsOptional() @IsBoolean() keepConfig?: boolean;
}

export class SimClockAdvanceDto {
  @IsInt() @Min(0) advanceMs: number;
}

export class GroupMsgConfirmDto {
  /** One task; omitted, every pending task (of `sender`, if given). */
  @IsOptional() @IsString() @IsNotEmpty() msgid?: string;
  @IsOptional() @IsString() @IsNotEmpty() sender?: string;
}

export class WelcomeCodeIssueDto {
  @IsString() @IsNotEmpty() external_userid: string;
  @IsOptional() @IsString() userid?: string;
  /** Use this code instead of a random one. */
  @IsOptional() @IsString() @IsNotEmpty() welcome_code?: string;
}
