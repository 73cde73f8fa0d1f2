import { ApiProperty } from '@nestjs/swagger';
import { IMPORT_STATUSES, ImportStatus } from '../entities/member-import.entity';

export interface MemberImportRecord {
  id: string;
  filename: string;
  status: ImportStatus;
  byteSize: string;
  totalRows: number | null;
  processedRows: number;
  inserted: number;
  updated: number;
  failed: number;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export class MemberImportResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() filename: string;
  @ApiProperty({ enum: IMPORT_STATUSES }) status: ImportStatus;
  @ApiProperty({ description: 'Size of the upload in bytes (a bigint, as a string)' }) byteSize: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Data rows in the file (the header excluded)' })
  totalRows: number | null;
  @ApiProperty({ description: 'Rows read so far' }) processedRows: number;
  @ApiProperty({ minimum: 0, maximum: 100 }) percent: number;
  @ApiProperty({ description: 'Rows that created a member' }) inserted: number;
  @ApiProperty({ description: 'Rows that matched an existing member (or one created earlier in the file)' })
  updated: number;
  @ApiProperty({ description: 'Rows skipped because of errors (see errors.csv)' }) failed: number;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
  @ApiProperty() errorsUrl: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) startedAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | null;

  static from(r: MemberImportRecord): MemberImportResponseDto {
    const percent =
      r.status === 'completed'
        ? 100
        : r.totalRows
          ? Math.min(99, Math.floor((r.processedRows * 100) / Math.max(1, r.totalRows)))
          : 0;
    return Object.assign(new MemberImportResponseDto(), {
      ...r,
      percent,
      errorsUrl: `/v1/members/imports/${r.id}/errors.csv`,
    });
  }
}

export class MemberImportPageDto {
  @ApiProperty({ type: [MemberImportResponseDto] }) items: MemberImportResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
