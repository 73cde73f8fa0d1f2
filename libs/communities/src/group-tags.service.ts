import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CommunityException } from './communities.errors';

type Raw = Record<string, unknown>;

export interface GroupTagView {
  id: string;
  name: string;
  /** Active (not dismissed) groups with the tag. */
  groupCount: number;
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `t.id, t.name, t.created_at, t.updated_at,
  (SELECT count(*) FROM community_group_tag_links l JOIN community_groups g ON g.id = l.group_id
    WHERE l.tag_id = t.id AND g.status = 'active')::int AS group_count`;

const toTag = (r: Raw): GroupTagView => ({
  id: r.id as string,
  name: r.name as string,
  groupCount: Number(r.group_count),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

/** Labels for group chats (CRUD, audited); campaigns target "group chats with tag X". */
@Injectable()
export class GroupTagsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  private async find(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<GroupTagView> {
    const rows: Raw[] = await m.query(
      `SELECT ${SELECT} FROM community_group_tags t WHERE t.brand_id = $1 AND t.id = $2`,
      [brandId, id],
    );
    if (!rows[0]) throw CommunityException.tagNotFound(id);
    return toTag(rows[0]);
  }

  get(brandId: string, id: string): Promise<GroupTagView> {
    return this.find(brandId, id);
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<GroupTagView>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0], after[1]);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SELECT} FROM community_group_tags t
        WHERE t.brand_id = $1 ${after ? 'AND (t.name, t.id) > ($3, $4::uuid)' : ''}
        ORDER BY t.name, t.id LIMIT $2`,
      params,
    );
    return toPage(rows, limit, (r) => [r.name as string, r.id as string], toTag);
  }

  async create(actor: Actor, name: string): Promise<GroupTagView> {
    return this.ds.transaction(async (m) => {
      const [row]: Raw[] = await m.query(
        `INSERT INTO community_group_tags (brand_id, name) VALUES ($1, $2) RETURNING id`,
        [actor.brandId, name.trim()],
      );
      const tag = await this.find(actor.brandId, row.id as string, m);
      await this.audit.record(m, actor, {
        action: 'community.group_tag.create',
        entityType: 'community_group_tag',
        entityId: tag.id,
        after: { name: tag.name },
      });
      return tag;
    });
  }

  async rename(actor: Actor, id: string, name: string): Promise<GroupTagView> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m);
      await m.query(
        `UPDATE community_group_tags SET name = $3, updated_at = now() WHERE brand_id = $1 AND id = $2`,
        [actor.brandId, id, name.trim()],
      );
      const after = await this.find(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'community.group_tag.update',
        entityType: 'community_group_tag',
        entityId: id,
        before: { name: before.name },
        after: { name: after.name },
      });
      return after;
    });
  }

  async remove(actor: Actor, id: string): Promise<GroupTagView> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m);
      await m.query(`DELETE FROM community_group_tags WHERE brand_id = $1 AND id = $2`, [actor.brandId, id]);
      await this.audit.record(m, actor, {
        action: 'community.group_tag.delete',
        entityType: 'community_group_tag',
        entityId: id,
        before: { name: before.name, groupCount: before.groupCount },
      });
      return before;
    });
  }
}
