import { ApiProperty } from '@nestjs/swagger';
import { MemberEventView } from '../member-events.service';

export class MemberEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'member.tagged' }) type: string;
  @ApiProperty({ type: Object }) data: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, enum: ['operator', 'api_key', 'system'] }) actorType:
    string | null;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty() occurredAt: Date;

  static from(e: MemberEventView): MemberEventResponseDto {
    return Object.assign(new MemberEventResponseDto(), e);
  }
}

export class MemberEventPageDto {
  @ApiProperty({ type: [MemberEventResponseDto] }) items: MemberEventResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
