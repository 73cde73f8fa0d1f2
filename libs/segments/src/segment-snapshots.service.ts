import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberMergeRegistry } from '@siyu/members';
import { Actor, AuditService, NotFoundException, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { SnapshotResult } from './dto/segment-snapshot.dto';
import { SegmentMemberRecord } from './dto/segment-member-response.dto';
import { SegmentQueryService } from './segment-query.service';
import { SEGMENT_MEMBER_COLUMNS, toSegmentMember } from './segment-members.sql';
import { SegmentsRepository, UUID_RE, uuidCursor } from './segments.repository';

/** What to freeze: a saved segment (its id), or a rule (a campaign's ad-hoc audience). */
export type SnapshotSource = string | { segmentId: string } | { rule: unknown };

type Raw = Record<string, unknown>;

const toSnapshot = (r: Raw): SnapshotResult => ({
  id: r.id as string,
  segmentId: (r.segment_id as string | null) ?? null,
  label: (r.label as string | null) ?? null,
  count: Number(r.member_count),
  createdAt: r.created_at as Date,
});

/**
 * Snapshots: an audience materialised at one instant (INSERT … SELECT of the compiled rule into
 * `segment_snapshot_members`). Campaigns call `snapshot()` inside their own transaction when they
 * start sending; later changes to members or to the segment do not change who is in it.
 */
@Injectable()
export class SegmentSnapshotsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: SegmentsRepository,
    private readonly query: SegmentQueryService,
    private readonly audit: AuditService,
    private readonly merges: MemberMergeRegistry,
  ) {}

  onModuleInit(): void {
    // A merged member's place in a snapshot goes to the survivor (once per snapshot).
    this.merges.register('segment_snapshot_members', async (m, { brandId, survivorId, mergedId }) => {
      await m.query(
        `INSERT INTO segment_snapshot_members (snapshot_id, member_id, brand_id)
         SELECT snapshot_id, $2, brand_id FROM segment_snapshot_members WHERE brand_id = $1 AND member_id = $3
         ON CONFLICT DO NOTHING`,
        [brandId, survivorId, mergedId],
      );
      await m.query(`DELETE FROM segment_snapshot_members WHERE brand_id = $1 AND member_id = $2`, [
        brandId,
        mergedId,
      ]);
    });
  }

  /**
   * Materialises the audience on `manager` (the caller's transaction): members of the brand that
   * match now, never merged tombstones nor erased members. Consent is not filtered here: senders
   * check it at send time (invariant 3), so a member who opts back in before the send is reached.
   * A rule (not a saved segment) must name only the brand's tag and tier ids.
   */
  async snapshot(
    manager: EntityManager,
    brandId: string,
    source: SnapshotSource,
    opts: { label?: string | null; now?: Date } = {},
  ): Promise<SnapshotResult> {
    const from = typeof source === 'string' ? { segmentId: source } : source;
    const saved = 'segmentId' in from ? await this.repo.get(brandId, from.segmentId, manager) : null;
    const rule = saved ? saved.rule : (from as { rule: unknown }).rule;
    const p = await this.query.prepare(
      brandId,
      rule,
      { includeErased: false, checkRefs: !saved, root: saved ? 'segment.rule' : 'rule', now: opts.now },
      manager,
    );
    const [snap]: Raw[] = await manager.query(
      `INSERT INTO segment_snapshots (brand_id, segment_id, rule, label, member_count, created_at)
       VALUES ($1, $2, $3, $4, 0, $5) RETURNING id`,
      [brandId, saved?.id ?? null, JSON.stringify(rule), opts.label ?? null, p.scope.now],
    );
    const params: unknown[] = [snap.id];
    const [row]: Raw[] = await this.query.tuned(manager, (m) =>
      m.query(
        `WITH ins AS (
         INSERT INTO segment_snapshot_members (snapshot_id, member_id, brand_id)
         SELECT $1::uuid, m.id, m.brand_id ${this.query.from(p, params)}
         RETURNING 1),
       counted AS (
         UPDATE segment_snapshots SET member_count = (SELECT count(*) FROM ins) WHERE id = $1::uuid
         RETURNING id, segment_id, label, member_count, created_at)
       SELECT * FROM counted`,
        params,
      ),
    );
    return toSnapshot(row);
  }

  /** POST /v1/segments/:id/snapshots: a snapshot of a saved segment in a transaction of its own (audited). */
  async create(actor: Actor, segmentId: string, label?: string): Promise<SnapshotResult> {
    return this.ds.transaction(async (m) => {
      const snap = await this.snapshot(m, actor.brandId, { segmentId }, { label });
      await this.audit.record(m, actor, {
        action: 'segment.snapshot',
        entityType: 'segment',
        entityId: segmentId,
        after: { snapshotId: snap.id, count: snap.count, label: snap.label },
      });
      return snap;
    });
  }

  async get(brandId: string, id: string, manager: EntityManager = this.ds.manager): Promise<SnapshotResult> {
    const rows: Raw[] = UUID_RE.test(id)
      ? await manager.query(
          `SELECT id, segment_id, label, member_count, created_at FROM segment_snapshots WHERE brand_id = $1 AND id = $2`,
          [brandId, id],
        )
      : [];
    if (!rows[0]) throw new NotFoundException('segment snapshot', id);
    return toSnapshot(rows[0]);
  }

  /** The snapshot's members by id (keyset), as they are now (an erased one shows no personal data). */
  async members(
    brandId: string,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<SegmentMemberRecord>> {
    await this.get(brandId, id);
    const after = uuidCursor(cursor);
    const params: unknown[] = [brandId, id, limit + 1];
    if (after) params.push(after);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SEGMENT_MEMBER_COLUMNS}
         FROM segment_snapshot_members sm JOIN members m ON m.id = sm.member_id
        WHERE sm.brand_id = $1 AND sm.snapshot_id = $2 ${after ? 'AND sm.member_id > $4::uuid' : ''}
        ORDER BY sm.member_id LIMIT $3`,
      params,
    );
    return toPage(
      rows.map(toSegmentMember),
      limit,
      (r) => [r.id],
      (r) => r,
    );
  }
}
