import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { SYNC_MAX_PAGE_SIZE, SYNC_PAGE_SIZE, SYNC_STATUSES, SyncStatus } from '../communities.constants';
import type { SyncRunView } from '../sync/community-sync.service';

export class GroupSyncStartDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: SYNC_MAX_PAGE_SIZE,
    default: SYNC_PAGE_SIZE,
    description: 'Groups per groupchat/list page (each page is one transaction)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(SYNC_MAX_PAGE_SIZE)
  pageSize?: number;
}

export class GroupSyncErrorDto {
  @ApiProperty({ nullable: true, type: String, description: 'retryable, rate_limited or permanent' })
  class: string | null;
  @ApiProperty({ nullable: true, type: Number }) errcode: number | null;
  @ApiProperty() message: string;
}

export class GroupSyncResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: SYNC_STATUSES }) status: SyncStatus;
  @ApiProperty({ description: 'false when a sync was already open: this is that one' }) created: boolean;
  @ApiProperty() pageSize: number;
  @ApiProperty({ description: 'groupchat/list pages applied' }) pages: number;
  @ApiProperty() groupsSynced: number;
  @ApiProperty({ description: 'Listed, but gone before they could be read' }) groupsSkipped: number;
  @ApiProperty({ description: 'No longer listed by WeCom once the pass completed' }) groupsDismissed: number;
  @ApiProperty() membershipsJoined: number;
  @ApiProperty() membershipsLeft: number;
  @ApiProperty({ description: 'Members created for customers Siyu did not know' }) membersCreated: number;
  @ApiProperty() attempts: number;
  @ApiProperty({ type: GroupSyncErrorDto, nullable: true }) error: GroupSyncErrorDto | null;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) startedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | null;

  static from(v: SyncRunView, created = false): GroupSyncResponseDto {
    return Object.assign(new GroupSyncResponseDto(), v, { created });
  }
}
