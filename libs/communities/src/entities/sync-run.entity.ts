import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { SYNC_MAX_PAGE_SIZE, SYNC_STATUSES, SyncStatus, sqlList } from '../communities.constants';

/**
 * One pass of the group sync over groupchat/list and groupchat/get. The row is the work
 * (invariant 1): its job carries only the id; `cursor` is where the next page starts, so a crash
 * or a retry resumes there. At most one open run per brand.
 */
@Entity('community_sync_runs')
@Index('community_sync_runs_open_key', ['brandId'], {
  unique: true,
  where: `status IN ('pending', 'running')`,
})
@Index('community_sync_runs_reconcile_idx', ['status', 'id'], { where: `status IN ('pending', 'running')` })
@Index('community_sync_runs_brand_idx', ['brandId', 'createdAt'])
@Check('community_sync_runs_status', `status IN (${sqlList(SYNC_STATUSES)})`)
@Check('community_sync_runs_page_size', `page_size BETWEEN 1 AND ${SYNC_MAX_PAGE_SIZE}`)
@Check(
  'community_sync_runs_counts',
  `pages >= 0 AND groups_synced >= 0 AND groups_skipped >= 0 AND groups_dismissed >= 0 AND memberships_joined >= 0 AND memberships_left >= 0 AND members_created >= 0 AND attempts >= 0`,
)
export class SyncRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: SyncStatus;

  @Column({ type: 'int', default: 100 })
  pageSize: number;

  /** groupchat/list's next_cursor: where the next page starts (NULL: the first page). */
  @Column({ type: 'text', nullable: true })
  cursor: string | null;

  @Column({ type: 'int', default: 0 })
  pages: number;

  @Column({ type: 'int', default: 0 })
  groupsSynced: number;

  /** Listed but gone before groupchat/get could read them. */
  @Column({ type: 'int', default: 0 })
  groupsSkipped: number;

  @Column({ type: 'int', default: 0 })
  groupsDismissed: number;

  @Column({ type: 'int', default: 0 })
  membershipsJoined: number;

  @Column({ type: 'int', default: 0 })
  membershipsLeft: number;

  @Column({ type: 'int', default: 0 })
  membersCreated: number;

  /** Failed attempts since the last page that went through (rate-limit deferrals do not count). */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** Not before this time (retry backoff, rate-limit deferral). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  runAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** Set by each claim; a page is only committed by the claim that still holds the run. */
  @Column({ type: 'uuid', nullable: true })
  claimToken: string | null;

  /** When the pass began: groups not seen since are gone from WeCom once the pass completes. */
  @Column({ type: 'timestamptz', nullable: true })
  passStartedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** The channel error class of the last failure (retryable, rate_limited, permanent). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  errorClass: string | null;

  @Column({ type: 'int', nullable: true })
  errcode: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', length: 16 })
  requestedByType: string;

  @Column({ type: 'uuid', nullable: true })
  requestedById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
