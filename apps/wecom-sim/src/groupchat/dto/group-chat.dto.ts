import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateNested,
} from 'class-validator';

export class GroupChatInvitorDto {
  @IsString() @IsNotEmpty() userid: string;
}

/** A member of a customer group: staff (type 1) or an external contact (type 2). */
export class GroupChatMemberDto {
  @IsString() @IsNotEmpty() userid: string;
  @IsOptional() @IsIn([1, 2]) type?: 1 | 2;
  @IsOptional() @IsInt() join_time?: number;
  /** 1 invited directly, 2 invited by link, 3 scanned the group QR code. */
  @IsOptional() @IsIn([1, 2, 3]) join_scene?: number;
  @IsOptional() @ValidateNested() @Type(() => GroupChatInvitorDto) invitor?: GroupChatInvitorDto;
  @IsOptional() @IsString() group_nickname?: string;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() unionid?: string;
}

export class GroupChatAdminDto {
  @IsString() @IsNotEmpty() userid: string;
}

/** A customer group chat as /_sim/groupchats seeds it (upsert by chat_id). */
export class GroupChatSeedDto {
  @IsString() @IsNotEmpty() chat_id: string;
  @IsOptional() @IsString() name?: string;
  @IsString() @IsNotEmpty() owner: string;
  @IsOptional() @IsInt() create_time?: number;
  @IsOptional() @IsString() notice?: string;
  /** 0 normal, 1 owner left (pending handover), 2 handover in progress, 3 handover done. */
  @IsOptional() @IsIn([0, 1, 2, 3]) status?: 0 | 1 | 2 | 3;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => GroupChatMemberDto)
  member_list?: GroupChatMemberDto[];
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GroupChatAdminDto)
  admin_list?: GroupChatAdminDto[];
}

export class GroupChatsSeedDto {
  @IsArray() @ValidateNested({ each: true }) @Type(() => GroupChatSeedDto) group_chats: GroupChatSeedDto[];
}

export interface GroupChatMember {
  userid: string;
  type: 1 | 2;
  join_time: number;
  join_scene: number;
  invitor?: { userid: string };
  group_nickname: string;
  name?: string;
  unionid?: string;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice: string;
  status: 0 | 1 | 2 | 3;
  member_list: GroupChatMember[];
  admin_list: Array<{ userid: string }>;
}
