import { ApiProperty } from '@nestjs/swagger';
import { WECOM_EVENT_STATUSES, WecomEventStatus } from '../entities/wecom-event.entity';
import type { WecomEventRecord } from '../wecom-events.service';

export class WecomEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'change_external_chat' }) event: string;
  @ApiProperty({ nullable: true, type: String }) changeType: string | null;
  @ApiProperty({ enum: WECOM_EVENT_STATUSES }) status: WecomEventStatus;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ description: 'The decrypted event fields, free-text personal fields redacted' })
  payload: Record<string, unknown>;
  @ApiProperty() receivedAt: Date;
  @ApiProperty({ nullable: true, type: Date }) processedAt: Date | null;

  static from(r: WecomEventRecord): WecomEventResponseDto {
    return Object.assign(new WecomEventResponseDto(), r);
  }
}

export class WecomEventPageDto {
  @ApiProperty({ type: [WecomEventResponseDto] }) items: WecomEventResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
