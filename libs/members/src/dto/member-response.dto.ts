import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { maskPhone } from '../member-pii.service';
import { MemberRecord } from '../members.repository';
import { CONSENT_STATUSES, IDENTITY_KINDS, SOURCE_CHANNELS } from '../members.constants';

export class MemberTagRefDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class MemberUtmResponseDto {
  @ApiProperty({ nullable: true, type: String }) source: string | null;
  @ApiProperty({ nullable: true, type: String }) medium: string | null;
  @ApiProperty({ nullable: true, type: String }) campaign: string | null;
  @ApiProperty({ nullable: true, type: String }) content: string | null;
  @ApiProperty({ nullable: true, type: String }) term: string | null;
}

export class MemberConsentResponseDto {
  @ApiProperty({ enum: CONSENT_STATUSES, nullable: true }) status: string | null;
  @ApiProperty({ nullable: true, type: Date }) at: Date | null;
  @ApiProperty({ enum: SOURCE_CHANNELS, nullable: true }) channel: string | null;
}

export class MemberIdentityResponseDto {
  @ApiProperty({ enum: IDENTITY_KINDS }) kind: string;
  @ApiProperty({ nullable: true, type: String, description: 'The WeChat app of an openid' }) appId:
    string | null;
  @ApiProperty({
    description: 'The identifier; for a phone, its masked form (the number itself is never listed)',
  })
  value: string;
}

export class MemberResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ nullable: true, type: String }) nickname: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'E.164 on a single member; masked (+86138****5678) in lists',
  })
  phone: string | null;
  @ApiProperty({ enum: SOURCE_CHANNELS }) sourceChannel: string;
  @ApiProperty({ type: MemberUtmResponseDto }) utm: MemberUtmResponseDto;
  @ApiProperty({ nullable: true, type: String }) city: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) birthday: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'Asia/Shanghai' }) timeZone: string | null;
  @ApiProperty({ type: [MemberTagRefDto] }) tags: MemberTagRefDto[];
  @ApiProperty({ type: MemberConsentResponseDto }) consent: MemberConsentResponseDto;
  @ApiProperty() reachable: boolean;
  @ApiProperty() joinedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) erasedAt: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) mergedInto: string | null;
  @ApiProperty() orderCount: number;
  @ApiProperty({ description: 'Paid spend in minor units (a bigint, as a string)', example: '128800' })
  paidSpendMinor: string;
  @ApiProperty({ nullable: true, type: Date }) firstOrderAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastOrderAt: Date | null;
  @ApiPropertyOptional({ type: [MemberIdentityResponseDto], description: 'On a single member only' })
  identities?: MemberIdentityResponseDto[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  /** `revealPhone` only for one member's own page; lists and audit snapshots get the mask. */
  static from(
    m: MemberRecord,
    opts: { revealPhone: boolean; identities?: MemberIdentityResponseDto[] },
  ): MemberResponseDto {
    return Object.assign(new MemberResponseDto(), {
      id: m.id,
      nickname: m.nickname,
      phone: opts.revealPhone ? m.phone : maskPhone(m.phone),
      sourceChannel: m.sourceChannel,
      utm: { ...m.utm },
      city: m.city,
      birthday: m.birthday,
      timeZone: m.timeZone,
      tags: m.tags,
      consent: { status: m.consentStatus, at: m.consentAt, channel: m.consentChannel },
      reachable: m.erasedAt === null && m.mergedInto === null && m.consentStatus !== 'opted_out',
      joinedAt: m.joinedAt,
      erasedAt: m.erasedAt,
      mergedInto: m.mergedInto,
      orderCount: m.orderCount,
      paidSpendMinor: m.paidSpendMinor,
      firstOrderAt: m.firstOrderAt,
      lastOrderAt: m.lastOrderAt,
      ...(opts.identities ? { identities: opts.identities } : {}),
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    });
  }
}

export class MemberUpsertResponseDto extends MemberResponseDto {
  @ApiProperty({ description: 'True when this request created the member' }) created: boolean;
}

export class MemberPageDto {
  @ApiProperty({ type: [MemberResponseDto] }) items: MemberResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class MemberSummaryResponseDto {
  @ApiProperty({ description: 'Active members (not erased, not merged away)' }) total: number;
  @ApiProperty({ description: 'Active members that may be messaged (not opted out)' }) reachable: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { wecom: 1200, douyin: 800 },
  })
  bySourceChannel: Record<string, number>;
}
