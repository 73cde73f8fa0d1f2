import { ApiProperty } from '@nestjs/swagger';
import { maskPhone, SOURCE_CHANNELS } from '@siyu/members';

/** A member as segments list them: what a marketer needs, the phone masked. */
export interface SegmentMemberRecord {
  id: string;
  nickname: string | null;
  phone: string | null;
  sourceChannel: string;
  city: string | null;
  consentStatus: string | null;
  tier: string | null;
  rfmGroup: string | null;
  orderCount: number;
  paidSpendMinor: string;
  lastOrderAt: Date | null;
  joinedAt: Date;
  tags: string[];
}

export class SegmentMemberResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String }) nickname: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Masked (+86138****5678)' }) phone: string | null;
  @ApiProperty({ enum: SOURCE_CHANNELS }) sourceChannel: string;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String, enum: ['opted_in', 'opted_out'] }) consent: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Current tier name' }) tier: string | null;
  @ApiProperty({ nullable: true, type: String }) rfmGroup: string | null;
  @ApiProperty() orderCount: number;
  @ApiProperty({ description: 'Minor units (a bigint, as a string)' }) paidSpendMinor: string;
  @ApiProperty({ nullable: true, type: Date }) lastOrderAt: Date | null;
  @ApiProperty() joinedAt: Date;
  @ApiProperty({ type: [String], description: 'Tag names' }) tags: string[];

  static from(r: SegmentMemberRecord): SegmentMemberResponseDto {
    return Object.assign(new SegmentMemberResponseDto(), {
      id: r.id,
      nickname: r.nickname,
      phone: maskPhone(r.phone),
      sourceChannel: r.sourceChannel,
      city: r.city,
      consent: r.consentStatus,
      tier: r.tier,
      rfmGroup: r.rfmGroup,
      orderCount: r.orderCount,
      paidSpendMinor: r.paidSpendMinor,
      lastOrderAt: r.lastOrderAt,
      joinedAt: r.joinedAt,
      tags: r.tags,
    });
  }
}

export class SegmentMemberPageDto {
  @ApiProperty({ type: [SegmentMemberResponseDto] }) items: SegmentMemberResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
