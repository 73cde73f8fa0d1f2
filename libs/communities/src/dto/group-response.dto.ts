import { ApiProperty } from '@nestjs/swagger';
import { GROUP_STATUSES, GroupStatus } from '../communities.constants';
import type { GroupView } from '../groups.service';

export class GroupOwnerDto {
  @ApiProperty() userid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ description: 'false while WeCom reports the owner left the company (pending handover)' })
  active: boolean;
}

export class GroupTagRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class GroupResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: "WeCom's chat_id" }) chatId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: GroupOwnerDto, nullable: true, description: 'null only before the group was fetched' })
  owner: GroupOwnerDto | null;
  @ApiProperty({ nullable: true, type: String }) notice: string | null;
  @ApiProperty({ description: 'People in the group now (staff and customers)' }) memberCount: number;
  @ApiProperty({ description: 'Of which customers' }) externalMemberCount: number;
  @ApiProperty({ example: 500 }) capacity: number;
  @ApiProperty({ description: 'memberCount has reached capacity' }) full: boolean;
  @ApiProperty({ enum: GROUP_STATUSES }) status: GroupStatus;
  @ApiProperty({
    description:
      "groupchat/list's status: 0 normal, 1 owner left (pending handover), 2 handover in progress, 3 done",
  })
  wecomStatus: number;
  @ApiProperty({ type: [GroupTagRefDto] }) tags: GroupTagRefDto[];
  @ApiProperty({ nullable: true, type: Date }) wecomCreatedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) dismissedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Last read whole from WeCom' })
  syncedAt: Date | null;
  @ApiProperty({ description: 'A callback could not be applied; the next sync reads the group whole' })
  needsRefresh: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(g: GroupView): GroupResponseDto {
    return Object.assign(new GroupResponseDto(), g, { full: g.memberCount >= g.capacity });
  }
}

export class GroupPageDto {
  @ApiProperty({ type: [GroupResponseDto] }) items: GroupResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
