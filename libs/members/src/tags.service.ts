import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, decodeCursor, NotFoundException, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { TagCreateDto } from './dto/tag-create.dto';
import { TagRecord } from './dto/tag-response.dto';
import { TagUpdateDto } from './dto/tag-update.dto';

type Raw = Record<string, unknown>;

const TAG_SELECT = `t.id, t.name, t.color, t.description, t.created_at, t.updated_at,
  (SELECT count(*) FROM member_tags mt JOIN members m ON m.id = mt.member_id
    WHERE mt.tag_id = t.id AND m.erased_at IS NULL AND m.merged_into IS NULL)::int AS member_count`;

const toTag = (r: Raw): TagRecord => ({
  id: r.id as string,
  name: r.name as string,
  color: r.color as string | null,
  description: r.description as string | null,
  memberCount: Number(r.member_count),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const snapshot = (t: TagRecord) => ({ id: t.id, name: t.name, color: t.color, description: t.description });

@Injectable()
export class TagsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  private async find(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<TagRecord> {
    const rows: Raw[] = await m.query(
      `SELECT ${TAG_SELECT} FROM tags t WHERE t.brand_id = $1 AND t.id = $2`,
      [brandId, id],
    );
    if (!rows[0]) throw new NotFoundException('tag', id);
    return toTag(rows[0]);
  }

  get(brandId: string, id: string): Promise<TagRecord> {
    return this.find(brandId, id);
  }

  /** By name, keyset-paginated. */
  async list(brandId: string, limit: number, cursor?: string): Promise<Page<TagRecord>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0], after[1]);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${TAG_SELECT} FROM tags t WHERE t.brand_id = $1 ${after ? 'AND (t.name, t.id) > ($3, $4::uuid)' : ''}
        ORDER BY t.name, t.id LIMIT $2`,
      params,
    );
    return toPage(rows, limit, (r) => [r.name as string, r.id as string], toTag);
  }

  async create(actor: Actor, dto: TagCreateDto): Promise<TagRecord> {
    return this.ds.transaction(async (m) => {
      const [row]: Raw[] = await m.query(
        `INSERT INTO tags (brand_id, name, color, description) VALUES ($1, $2, $3, $4) RETURNING id`,
        [actor.brandId, dto.name.trim(), dto.color ?? null, dto.description ?? null],
      );
      const tag = await this.find(actor.brandId, row.id as string, m);
      await this.audit.record(m, actor, {
        action: 'tag.create',
        entityType: 'tag',
        entityId: tag.id,
        after: snapshot(tag),
      });
      return tag;
    });
  }

  async update(actor: Actor, id: string, dto: TagUpdateDto): Promise<TagRecord> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m);
      await m.query(
        `UPDATE tags SET name = $3, color = $4, description = $5, updated_at = now() WHERE brand_id = $1 AND id = $2`,
        [
          actor.brandId,
          id,
          dto.name !== undefined ? dto.name.trim() : before.name,
          dto.color !== undefined ? dto.color : before.color,
          dto.description !== undefined ? dto.description : before.description,
        ],
      );
      const after = await this.find(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'tag.update',
        entityType: 'tag',
        entityId: id,
        before: snapshot(before),
        after: snapshot(after),
      });
      return after;
    });
  }

  /** Deletes the tag and its assignments (the members stay). */
  async remove(actor: Actor, id: string): Promise<TagRecord> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m);
      await m.query(`DELETE FROM tags WHERE brand_id = $1 AND id = $2`, [actor.brandId, id]);
      await this.audit.record(m, actor, {
        action: 'tag.delete',
        entityType: 'tag',
        entityId: id,
        before: { ...snapshot(before), memberCount: before.memberCount },
      });
      return before;
    });
  }
}
