import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, decodeCursor, FieldError, Page, systemActor, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AcquisitionStateRegistry } from '../acquisition-states.registry';
import type { JoinWayCreateDto, JoinWayUpdateDto } from './dto/join-way.dto';
import { JoinWayException } from './join-ways.errors';
import {
  GROUP_MEMBER_LIMIT,
  JOIN_WAY_MAX_ACTIVE_CHATS,
  JOIN_WAY_MAX_POOL,
  JoinWayStatus,
} from './join-ways.constants';
import { JoinWayRequest, WecomWaysClient } from './wecom-ways.client';

type Raw = Record<string, unknown>;

export interface JoinWayView {
  id: string;
  name: string;
  state: string;
  configId: string | null;
  qrCode: string | null;
  chatIds: string[];
  activeChatIds: string[];
  fullChatIds: string[];
  autoCreateRoom: boolean;
  roomBaseName: string | null;
  roomBaseId: number | null;
  groupLimit: number;
  welcomeText: string | null;
  welcomeTemplateId: string | null;
  status: JoinWayStatus;
  joins: number;
  joinsByChat: Array<{ chatId: string; joins: number }>;
  rolledOverAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RolloverResult {
  changed: boolean;
  activeChatIds: string[];
  fullChatIds: string[];
  status: JoinWayStatus;
}

const SELECT = `w.*,
  (SELECT count(*) FROM acquisition_join_way_joins j WHERE j.join_way_id = w.id)::int AS joins,
  COALESCE((SELECT json_agg(json_build_object('chatId', c.chat_id, 'joins', c.n) ORDER BY c.chat_id)
     FROM (SELECT chat_id, count(*)::int AS n FROM acquisition_join_way_joins j WHERE j.join_way_id = w.id GROUP BY chat_id) c), '[]') AS joins_by_chat`;

const toView = (r: Raw): JoinWayView => ({
  id: r.id as string,
  name: r.name as string,
  state: r.state as string,
  configId: (r.config_id as string | null) ?? null,
  qrCode: (r.qr_code as string | null) ?? null,
  chatIds: r.chat_ids as string[],
  activeChatIds: r.active_chat_ids as string[],
  fullChatIds: r.full_chat_ids as string[],
  autoCreateRoom: r.auto_create_room as boolean,
  roomBaseName: (r.room_base_name as string | null) ?? null,
  roomBaseId: r.room_base_id === null ? null : Number(r.room_base_id),
  groupLimit: Number(r.group_limit),
  welcomeText: (r.welcome_text as string | null) ?? null,
  welcomeTemplateId: (r.welcome_template_id as string | null) ?? null,
  status: r.status as JoinWayStatus,
  joins: Number(r.joins ?? 0),
  joinsByChat: (r.joins_by_chat as Array<{ chatId: string; joins: number }>) ?? [],
  rolledOverAt: (r.rolled_over_at as Date | null) ?? null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const auditOf = (v: JoinWayView) => ({
  name: v.name,
  state: v.state,
  chatIds: v.chatIds,
  activeChatIds: v.activeChatIds,
  autoCreateRoom: v.autoCreateRoom,
  roomBaseName: v.roomBaseName,
  roomBaseId: v.roomBaseId,
  groupLimit: v.groupLimit,
  welcomeText: v.welcomeText,
  status: v.status,
});

/**
 * The groups WeCom should route to: the first 5 of the pool that are not full. With every group full
 * the last one stays (WeCom needs at least one); with auto_create_room WeCom then creates a new room
 * when it is full too, so the join way stays `active`, else it becomes `full`.
 */
export function routeTo(
  pool: string[],
  full: ReadonlySet<string>,
  autoCreateRoom: boolean,
): { active: string[]; status: JoinWayStatus } {
  const open = pool.filter((c) => !full.has(c));
  if (open.length > 0) return { active: open.slice(0, JOIN_WAY_MAX_ACTIVE_CHATS), status: 'active' };
  return { active: [pool[pool.length - 1]], status: autoCreateRoom ? 'active' : 'full' };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Group codes (客户群活码): CRUD against groupchat/*_join_way, join counts, and rollover when a group fills. */
@Injectable()
export class JoinWaysService {
  private readonly logger = new Logger(JoinWaysService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly wecom: WecomWaysClient,
    private readonly states: AcquisitionStateRegistry,
  ) {}

  private async find(
    brandId: string,
    id: string,
    m: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<JoinWayView> {
    const rows: Raw[] = lock
      ? await m.query(
          `SELECT w.*, 0 AS joins, '[]'::json AS joins_by_chat FROM acquisition_join_ways w
          WHERE w.brand_id = $1 AND w.id = $2 AND w.deleted_at IS NULL FOR UPDATE`,
          [brandId, id],
        )
      : await m.query(
          `SELECT ${SELECT} FROM acquisition_join_ways w WHERE w.brand_id = $1 AND w.id = $2 AND w.deleted_at IS NULL`,
          [brandId, id],
        );
    if (!rows[0]) throw JoinWayException.notFound(id);
    return toView(rows[0]);
  }

  get(brandId: string, id: string): Promise<JoinWayView> {
    return this.find(brandId, id);
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<JoinWayView>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0], after[1]);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SELECT} FROM acquisition_join_ways w
        WHERE w.brand_id = $1 AND w.deleted_at IS NULL ${after ? 'AND (w.created_at, w.id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY w.created_at DESC, w.id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, limit, (r) => [(r.created_at as Date).toISOString(), r.id as string], toView);
  }

  /** The chat ids that are not the brand's (known, not dismissed) groups: 400 naming `chatIds`. */
  private async checkChats(brandId: string, chatIds: string[]): Promise<void> {
    const rows: Array<{ chat_id: string }> = await this.ds.query(
      `SELECT chat_id FROM community_groups WHERE brand_id = $1 AND chat_id = ANY($2::text[]) AND status <> 'dismissed'`,
      [brandId, chatIds],
    );
    const known = new Set(rows.map((r) => r.chat_id));
    const unknown = chatIds.filter((c) => !known.has(c));
    if (unknown.length > 0)
      throw JoinWayException.invalid([
        { field: 'chatIds', message: `not a group chat of this brand: ${unknown.join(', ')}` },
      ]);
  }

  private checkRoom(autoCreateRoom: boolean, roomBaseName: string | null, roomBaseId: number | null): void {
    const errors: FieldError[] = [];
    if (autoCreateRoom && !roomBaseName)
      errors.push({ field: 'roomBaseName', message: 'autoCreateRoom needs roomBaseName' });
    if (autoCreateRoom && roomBaseId === null)
      errors.push({ field: 'roomBaseId', message: 'autoCreateRoom needs roomBaseId' });
    if (errors.length) throw JoinWayException.invalid(errors);
  }

  private request(
    v: Pick<JoinWayView, 'state' | 'name' | 'autoCreateRoom' | 'roomBaseName' | 'roomBaseId'>,
    chatIds: string[],
  ): JoinWayRequest {
    return {
      chatIds,
      state: v.state,
      remark: v.name,
      autoCreateRoom: v.autoCreateRoom,
      roomBaseName: v.roomBaseName,
      roomBaseId: v.roomBaseId,
    };
  }

  async create(actor: Actor, dto: JoinWayCreateDto): Promise<JoinWayView> {
    const brandId = actor.brandId;
    if (this.states.isReserved(dto.state))
      throw JoinWayException.invalid([
        { field: 'state', message: 'this prefix is reserved (referral invites use it)' },
      ]);
    const autoCreateRoom = dto.autoCreateRoom ?? false;
    this.checkRoom(autoCreateRoom, dto.roomBaseName ?? null, dto.roomBaseId ?? null);
    await this.checkChats(brandId, dto.chatIds);
    const taken: unknown[] = await this.ds.query(
      `SELECT 1 FROM acquisition_join_ways WHERE brand_id = $1 AND state = $2 AND deleted_at IS NULL`,
      [brandId, dto.state],
    );
    if (taken.length)
      throw JoinWayException.invalid([
        { field: 'state', message: 'another join way of the brand uses this state' },
      ]);
    const draft = {
      name: dto.name.trim(),
      state: dto.state,
      autoCreateRoom,
      roomBaseName: dto.roomBaseName ?? null,
      roomBaseId: dto.roomBaseId ?? null,
    };
    const active = await this.routeNow(
      brandId,
      dto.chatIds,
      dto.groupLimit ?? GROUP_MEMBER_LIMIT,
      autoCreateRoom,
    );
    const welcomeTemplateId = dto.welcomeText
      ? await this.wecom.addGroupWelcome(brandId, dto.welcomeText)
      : null;
    let way: { configId: string; qrCode: string | null } | null = null;
    try {
      way = await this.wecom.addJoinWay(brandId, this.request(draft, active.active));
      const made = way;
      return await this.ds.transaction(async (m) => {
        const [row]: Raw[] = await m.query(
          `INSERT INTO acquisition_join_ways (brand_id, name, state, config_id, qr_code, chat_ids, active_chat_ids, full_chat_ids,
             auto_create_room, room_base_name, room_base_id, group_limit, welcome_text, status, welcome_template_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
          [
            brandId,
            draft.name,
            draft.state,
            made.configId,
            made.qrCode,
            dto.chatIds,
            active.active,
            active.full,
            autoCreateRoom,
            draft.roomBaseName,
            draft.roomBaseId,
            dto.groupLimit ?? GROUP_MEMBER_LIMIT,
            dto.welcomeText ?? null,
            active.status,
            welcomeTemplateId,
          ],
        );
        const view = await this.find(brandId, row.id as string, m);
        await this.audit.record(m, actor, {
          action: 'acquisition.join_way.create',
          entityType: 'acquisition_join_way',
          entityId: view.id,
          after: auditOf(view),
        });
        return view;
      });
    } catch (err) {
      // The row could not be written: take what was made back off WeCom rather than leave it orphaned.
      if (way) await this.wecom.delJoinWay(brandId, way.configId).catch(() => undefined);
      if (welcomeTemplateId)
        await this.wecom.delGroupWelcome(brandId, welcomeTemplateId).catch(() => undefined);
      throw err;
    }
  }

  /** Which of `pool` are full now (member_count ≥ limit, or dismissed) and where WeCom should route. */
  private async routeNow(
    brandId: string,
    pool: string[],
    limit: number,
    autoCreateRoom: boolean,
    m: EntityManager = this.ds.manager,
  ): Promise<{ active: string[]; full: string[]; status: JoinWayStatus }> {
    const rows: Array<{ chat_id: string }> = await m.query(
      `SELECT chat_id FROM community_groups
        WHERE brand_id = $1 AND chat_id = ANY($2::text[]) AND (member_count >= $3 OR status = 'dismissed')`,
      [brandId, pool, limit],
    );
    const full = new Set(rows.map((r) => r.chat_id));
    const route = routeTo(pool, full, autoCreateRoom);
    return { ...route, full: pool.filter((c) => full.has(c)) };
  }

  async update(actor: Actor, id: string, dto: JoinWayUpdateDto): Promise<JoinWayView> {
    const brandId = actor.brandId;
    if (dto.chatIds) await this.checkChats(brandId, dto.chatIds);
    return this.ds.transaction(async (m) => {
      const before = await this.find(brandId, id, m, true);
      const next = {
        ...before,
        name: dto.name?.trim() ?? before.name,
        chatIds: dto.chatIds ?? before.chatIds,
        autoCreateRoom: dto.autoCreateRoom ?? before.autoCreateRoom,
        roomBaseName: dto.roomBaseName ?? before.roomBaseName,
        roomBaseId: dto.roomBaseId ?? before.roomBaseId,
        groupLimit: dto.groupLimit ?? before.groupLimit,
        welcomeText: dto.welcomeText ?? before.welcomeText,
      };
      this.checkRoom(next.autoCreateRoom, next.roomBaseName, next.roomBaseId);
      const route = await this.routeNow(brandId, next.chatIds, next.groupLimit, next.autoCreateRoom, m);
      if (before.configId)
        await this.wecom.updateJoinWay(brandId, before.configId, this.request(next, route.active));
      let welcomeTemplateId = before.welcomeTemplateId;
      if (next.welcomeText && next.welcomeText !== before.welcomeText) {
        if (welcomeTemplateId)
          await this.wecom.editGroupWelcome(brandId, welcomeTemplateId, next.welcomeText);
        else welcomeTemplateId = await this.wecom.addGroupWelcome(brandId, next.welcomeText);
      }
      await m.query(
        `UPDATE acquisition_join_ways SET name = $3, chat_ids = $4, active_chat_ids = $5, full_chat_ids = $6,
                auto_create_room = $7, room_base_name = $8, room_base_id = $9, group_limit = $10, welcome_text = $11,
                status = $12, welcome_template_id = $13, updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [
          brandId,
          id,
          next.name,
          next.chatIds,
          route.active,
          route.full,
          next.autoCreateRoom,
          next.roomBaseName,
          next.roomBaseId,
          next.groupLimit,
          next.welcomeText,
          route.status,
          welcomeTemplateId,
        ],
      );
      const after = await this.find(brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'acquisition.join_way.update',
        entityType: 'acquisition_join_way',
        entityId: id,
        before: auditOf(before),
        after: auditOf(after),
      });
      return after;
    });
  }

  async remove(actor: Actor, id: string): Promise<JoinWayView> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m, true);
      if (before.configId) await this.wecom.delJoinWay(actor.brandId, before.configId);
      if (before.welcomeTemplateId) await this.wecom.delGroupWelcome(actor.brandId, before.welcomeTemplateId);
      await m.query(
        `UPDATE acquisition_join_ways SET status = 'deleted', deleted_at = now(), updated_at = now() WHERE brand_id = $1 AND id = $2`,
        [actor.brandId, id],
      );
      await this.audit.record(m, actor, {
        action: 'acquisition.join_way.delete',
        entityType: 'acquisition_join_way',
        entityId: id,
        before: auditOf(before),
      });
      return { ...before, status: 'deleted' as const };
    });
  }

  /**
   * Points the join way at the next groups when some are full. Holds the row lock while it calls
   * update_join_way, so two checks never race; a WeCom failure throws (the row is unchanged and the
   * job retries). Audited as a system change.
   */
  async rollover(brandId: string, id: string): Promise<RolloverResult> {
    return this.ds.transaction(async (m) => {
      let way: JoinWayView;
      try {
        way = await this.find(brandId, id, m, true);
      } catch {
        return { changed: false, activeChatIds: [], fullChatIds: [], status: 'deleted' as const };
      }
      const route = await this.routeNow(brandId, way.chatIds, way.groupLimit, way.autoCreateRoom, m);
      if (
        sameList(route.active, way.activeChatIds) &&
        sameList(route.full, way.fullChatIds) &&
        route.status === way.status
      )
        return {
          changed: false,
          activeChatIds: way.activeChatIds,
          fullChatIds: way.fullChatIds,
          status: way.status,
        };
      if (way.configId && !sameList(route.active, way.activeChatIds))
        await this.wecom.updateJoinWay(brandId, way.configId, this.request(way, route.active));
      await m.query(
        `UPDATE acquisition_join_ways SET active_chat_ids = $3, full_chat_ids = $4, status = $5, rolled_over_at = now(), updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [brandId, id, route.active, route.full, route.status],
      );
      await this.audit.record(m, systemActor(brandId), {
        action: 'acquisition.join_way.rollover',
        entityType: 'acquisition_join_way',
        entityId: id,
        before: { activeChatIds: way.activeChatIds, fullChatIds: way.fullChatIds, status: way.status },
        after: { activeChatIds: route.active, fullChatIds: route.full, status: route.status },
      });
      this.logger.log(
        { brandId, joinWayId: id, active: route.active, full: route.full },
        'join way rolled over',
      );
      return { changed: true, activeChatIds: route.active, fullChatIds: route.full, status: route.status };
    });
  }

  /** Active join ways with a routed group at or over its limit (the periodic sweep's work). */
  async dueForRollover(limit = 500): Promise<Array<{ brandId: string; id: string }>> {
    const rows: Array<{ brand_id: string; id: string }> = await this.ds.query(
      `SELECT w.brand_id, w.id FROM acquisition_join_ways w
        WHERE w.status <> 'deleted' AND EXISTS (
          SELECT 1 FROM community_groups g
           WHERE g.brand_id = w.brand_id AND g.chat_id = ANY(w.active_chat_ids)
             AND (g.member_count >= w.group_limit OR g.status = 'dismissed')
             AND NOT g.chat_id = ANY(w.full_chat_ids))
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ brandId: r.brand_id, id: r.id }));
  }

  /**
   * Records joins through a join way (inside the callback's transaction). A chat the pool does not
   * hold is a room WeCom created for it (auto_create_room): it is appended to the pool. Answers the
   * join way's id when the state is one of the brand's join ways.
   */
  async recordJoins(
    m: EntityManager,
    brandId: string,
    state: string,
    chatId: string,
    userids: string[],
    at: Date,
  ): Promise<string | null> {
    const [way]: Raw[] = await m.query(
      `SELECT id, chat_ids FROM acquisition_join_ways WHERE brand_id = $1 AND state = $2 AND deleted_at IS NULL`,
      [brandId, state],
    );
    if (!way) return null;
    const id = way.id as string;
    await m.query(
      `INSERT INTO acquisition_join_way_joins (brand_id, join_way_id, chat_id, userid, joined_at)
       SELECT $1, $2, $3, u, $5 FROM unnest($4::text[]) u
       ON CONFLICT DO NOTHING`,
      [brandId, id, chatId, userids, at],
    );
    if (!(way.chat_ids as string[]).includes(chatId)) {
      await m.query(
        `UPDATE acquisition_join_ways SET chat_ids = CASE WHEN cardinality(chat_ids) >= $4 THEN chat_ids[2:] ELSE chat_ids END || $3::text,
                updated_at = now()
          WHERE brand_id = $1 AND id = $2 AND NOT ($3 = ANY(chat_ids))`,
        [brandId, id, chatId, JOIN_WAY_MAX_POOL],
      );
    }
    return id;
  }
}
