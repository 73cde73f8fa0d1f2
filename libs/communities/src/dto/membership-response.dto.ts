import { ApiProperty } from '@nestjs/swagger';
import { GROUP_STATUSES, GroupStatus, MEMBERSHIP_TYPES, MembershipType } from '../communities.constants';
import type { MemberGroupView, MembershipView } from '../groups.service';

export class MembershipResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'uuid' }) groupId: string;
  @ApiProperty({ description: "The staff userid or the customer's external_userid" }) userid: string;
  @ApiProperty({ enum: MEMBERSHIP_TYPES }) type: MembershipType;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: "The customer's member" })
  memberId: string | null;
  @ApiProperty() joinedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) leftAt: Date | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'groupchat/get: 1 invited, 2 invitation link, 3 group QR code (callbacks: 0 invited, 3 QR code)',
  })
  joinScene: number | null;
  @ApiProperty({ nullable: true, type: Number, description: '0 left, 1 removed by the owner or an admin' })
  quitScene: number | null;
  @ApiProperty({ nullable: true, type: String }) invitorUserid: string | null;

  static from(v: MembershipView): MembershipResponseDto {
    return Object.assign(new MembershipResponseDto(), v);
  }
}

export class MembershipPageDto {
  @ApiProperty({ type: [MembershipResponseDto] }) items: MembershipResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class MemberGroupResponseDto extends MembershipResponseDto {
  @ApiProperty() chatId: string;
  @ApiProperty() groupName: string;
  @ApiProperty({ enum: GROUP_STATUSES }) groupStatus: GroupStatus;

  static override from(v: MemberGroupView): MemberGroupResponseDto {
    return Object.assign(new MemberGroupResponseDto(), v);
  }
}

export class MemberGroupPageDto {
  @ApiProperty({ type: [MemberGroupResponseDto] }) items: MemberGroupResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
