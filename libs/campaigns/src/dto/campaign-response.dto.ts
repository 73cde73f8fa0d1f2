import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_KINDS, ChannelKind } from '@siyu/channels';
import { CAMPAIGN_STATUSES, CampaignStatus, DELIVERY_STATUSES, DeliveryStatus } from '../campaigns.constants';
import type { Campaign, CampaignAudience, CampaignVariant } from '../entities/campaign.entity';
import type { CampaignDelivery } from '../entities/campaign-delivery.entity';

export class ZoneScheduleViewDto {
  @ApiProperty({ example: 'America/Los_Angeles' }) timeZone: string;
  @ApiProperty({ description: 'The instant (UTC) its members get it' }) at: Date;
  @ApiProperty({ nullable: true, enum: ['skipped_forward', 'ambiguous_earlier'] }) adjustment: string | null;
  @ApiProperty({ description: "Moved to the end of the brand's quiet hours in that zone" })
  heldByQuietHours: boolean;
  @ApiProperty({ description: 'Already past: its members will be skipped (local_time_passed)' })
  passed: boolean;
}

export class CampaignScheduleViewDto {
  @ApiProperty({ nullable: true, type: Date, description: 'When it starts sending (UTC)' })
  sendAt: Date | null;
  @ApiProperty({ nullable: true, type: String, description: 'The same instant as local time in timeZone' })
  sendAtLocal: string | null;
  @ApiProperty({ nullable: true, type: String }) timeZone: string | null;
  @ApiPropertyOptional({
    enum: ['skipped_forward', 'ambiguous_earlier'],
    description: 'Set when the entered local time fell on a daylight-saving switch',
  })
  adjustment?: string | null;
  @ApiProperty({ description: "Sent at sendAtLocal in each member's own time zone" })
  memberTimeZone: boolean;
  @ApiPropertyOptional({
    type: [ZoneScheduleViewDto],
    description:
      "On scheduling a member-time-zone campaign: when each zone known among the brand's members gets it",
  })
  zones?: ZoneScheduleViewDto[];
}

export class CampaignResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: CHANNEL_KINDS }) channel: ChannelKind;
  @ApiProperty({ enum: CAMPAIGN_STATUSES }) status: CampaignStatus;
  @ApiProperty({ type: Object }) audience: CampaignAudience;
  @ApiProperty({ type: [Object] }) variants: CampaignVariant[];
  @ApiProperty({ nullable: true, type: String }) oaAppId: string | null;
  @ApiProperty({ nullable: true, type: String }) sender: string | null;
  @ApiProperty() quietHoursExempt: boolean;
  @ApiProperty() frequencyCapExempt: boolean;
  @ApiProperty({ type: CampaignScheduleViewDto }) schedule: CampaignScheduleViewDto;
  @ApiProperty({ nullable: true, type: Number }) audienceSize: number | null;
  @ApiProperty({ nullable: true, type: Number }) snapshotMs: number | null;
  @ApiProperty({ nullable: true, type: Date }) heldUntil: Date | null;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty({ nullable: true, type: Date }) startedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) cancelledAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(c: Campaign, adjustment?: string | null, zones?: ZoneScheduleViewDto[]): CampaignResponseDto {
    return Object.assign(new CampaignResponseDto(), {
      id: c.id,
      name: c.name,
      channel: c.channel,
      status: c.status,
      audience: c.audience,
      variants: c.variants,
      oaAppId: c.oaAppId,
      sender: c.sender,
      quietHoursExempt: c.quietHoursExempt,
      frequencyCapExempt: c.frequencyCapExempt,
      schedule: {
        sendAt: c.sendAt,
        sendAtLocal: c.sendAtLocal,
        timeZone: c.timeZone,
        ...(adjustment !== undefined ? { adjustment } : {}),
        memberTimeZone: c.memberTimeZone,
        ...(zones ? { zones } : {}),
      },
      audienceSize: c.audienceSize,
      snapshotMs: c.snapshotMs,
      heldUntil: c.heldUntil,
      failureReason: c.failureReason,
      startedAt: c.startedAt,
      completedAt: c.completedAt,
      cancelledAt: c.cancelledAt,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    });
  }
}

export class CampaignPageDto {
  @ApiProperty({ type: [CampaignResponseDto] }) items: CampaignResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class DeliveryResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) memberId: string | null;
  @ApiProperty({ nullable: true, type: String }) groupId: string | null;
  @ApiProperty() variant: number;
  @ApiProperty({ nullable: true, type: String, description: 'openid, external_userid or chat_id' })
  address: string | null;
  @ApiProperty({ nullable: true, type: String }) sender: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: DeliveryStatus;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ nullable: true, type: Number }) errcode: number | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) sentAt: Date | null;
  @ApiProperty({ nullable: true, type: String }) providerMessageId: string | null;

  static from(d: CampaignDelivery): DeliveryResponseDto {
    return Object.assign(new DeliveryResponseDto(), {
      id: d.id,
      memberId: d.memberId,
      groupId: d.groupId,
      variant: d.variant,
      address: d.address,
      sender: d.sender,
      status: d.status,
      reason: d.reason,
      errcode: d.errcode,
      error: d.error,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      sentAt: d.sentAt,
      providerMessageId: d.providerMessageId,
    });
  }
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryResponseDto] }) items: DeliveryResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
