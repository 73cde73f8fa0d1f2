import { ApiProperty } from '@nestjs/swagger';
import { AuditEntry } from '../entities/audit-entry.entity';

export class AuditEntryResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['operator', 'api_key', 'system'] }) actorType: string;
  @ApiProperty({ nullable: true, type: String }) actorId: string | null;
  @ApiProperty() action: string;
  @ApiProperty() entityType: string;
  @ApiProperty() entityId: string;
  @ApiProperty({ nullable: true, type: Object }) before: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: Object }) after: Record<string, unknown> | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty() createdAt: Date;

  static from(e: AuditEntry): AuditEntryResponseDto {
    return Object.assign(new AuditEntryResponseDto(), {
      id: e.id,
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      before: e.before,
      after: e.after,
      requestId: e.requestId,
      createdAt: e.createdAt,
    });
  }
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryResponseDto] }) items: AuditEntryResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
