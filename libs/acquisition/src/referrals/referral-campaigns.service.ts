import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CouponIssuingService } from '@siyu/coupons';
import { Actor, AppConfig, AuditService, decodeCursor, FieldError, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { unknownStaff, unknownTags } from '../common/brand-refs';
import { WecomWaysClient } from '../join-ways/wecom-ways.client';
import type { ReferralCampaignCreateDto, ReferralCampaignUpdateDto } from './dto/referral-campaign.dto';
import type { ReferralTier } from './entities/referral-campaign.entity';
import { ReferralSettlementService, SettleResult } from './referral-settlement.service';
import {
  DEFAULT_RETENTION_HOURS,
  REFERRAL_STATE_PREFIX,
  ReferralCampaignStatus,
} from './referrals.constants';
import { ReferralException } from './referrals.errors';

type Raw = Record<string, unknown>;

export interface ReferralCampaignView {
  id: string;
  name: string;
  status: ReferralCampaignStatus;
  startsAt: Date;
  endsAt: Date | null;
  retentionHours: number;
  staffUserids: string[];
  groupChatIds: string[];
  skipVerify: boolean;
  sourceChannel: string | null;
  utm: Record<string, string>;
  tagIds: string[];
  welcomeText: string | null;
  tiers: ReferralTier[];
  invites: number;
  invitees: number;
  retained: number;
  rewardsIssued: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReferralInviteView {
  id: string;
  campaignId: string;
  memberId: string;
  code: string;
  state: string;
  qrCode: string | null;
  joinQrCode: string | null;
  posterUrl: string;
  pending: number;
  retained: number;
  lost: number;
  refused: number;
  createdAt: Date;
}

export interface LeaderRow {
  rank: number;
  memberId: string;
  nickname: string | null;
  retained: number;
  pending: number;
  lost: number;
  refused: number;
  rewardTiers: number[];
}

export interface AbuseReport {
  quickDeletes: Array<{
    inviterMemberId: string;
    count: number;
    invitees: Array<{ externalUserid: string; via: string; joinedAt: Date; lostAt: Date }>;
  }>;
  bursts: Array<{ inviterMemberId: string; maxInWindow: number; windowStart: Date; windowEnd: Date }>;
}

const SELECT = `c.*,
  (SELECT count(*) FROM acquisition_referral_invites i WHERE i.campaign_id = c.id)::int AS invite_count,
  (SELECT count(*) FROM acquisition_referral_invitees i WHERE i.campaign_id = c.id)::int AS invitee_count,
  (SELECT count(*) FROM acquisition_referral_invitees i WHERE i.campaign_id = c.id AND i.status = 'retained')::int AS retained_count,
  (SELECT count(*) FROM acquisition_referral_rewards r WHERE r.campaign_id = c.id AND r.status = 'issued')::int AS rewards_count`;

const toView = (r: Raw): ReferralCampaignView => ({
  id: r.id as string,
  name: r.name as string,
  status: r.status as ReferralCampaignStatus,
  startsAt: r.starts_at as Date,
  endsAt: (r.ends_at as Date | null) ?? null,
  retentionHours: Number(r.retention_hours),
  staffUserids: r.staff_userids as string[],
  groupChatIds: r.group_chat_ids as string[],
  skipVerify: r.skip_verify as boolean,
  sourceChannel: (r.source_channel as string | null) ?? null,
  utm: (r.utm as Record<string, string>) ?? {},
  tagIds: (r.tag_ids as string[]) ?? [],
  welcomeText: ((r.welcome as { text?: string } | null)?.text as string | undefined) ?? null,
  tiers: r.tiers as ReferralTier[],
  invites: Number(r.invite_count ?? 0),
  invitees: Number(r.invitee_count ?? 0),
  retained: Number(r.retained_count ?? 0),
  rewardsIssued: Number(r.rewards_count ?? 0),
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const auditOf = (v: ReferralCampaignView) => ({
  name: v.name,
  status: v.status,
  startsAt: v.startsAt,
  endsAt: v.endsAt,
  retentionHours: v.retentionHours,
  staffUserids: v.staffUserids,
  groupChatIds: v.groupChatIds,
  tiers: v.tiers,
});

/** Lower-case base32 without look-alikes: 10 characters, 50 bits. */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
function inviteCode(): string {
  const bytes = randomBytes(10);
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

/** Referral (fission) campaigns: CRUD, personal invites, leaderboard, anti-abuse report, settlement on demand. */
@Injectable()
export class ReferralCampaignsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly wecom: WecomWaysClient,
    private readonly coupons: CouponIssuingService,
    private readonly settlement: ReferralSettlementService,
    private readonly config: AppConfig,
  ) {}

  private async find(
    brandId: string,
    id: string,
    m: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<ReferralCampaignView> {
    const rows: Raw[] = lock
      ? await m.query(
          `SELECT c.* FROM acquisition_referral_campaigns c WHERE c.brand_id = $1 AND c.id = $2 FOR UPDATE`,
          [brandId, id],
        )
      : await m.query(
          `SELECT ${SELECT} FROM acquisition_referral_campaigns c WHERE c.brand_id = $1 AND c.id = $2`,
          [brandId, id],
        );
    if (!rows[0]) throw ReferralException.campaignNotFound(id);
    return toView(rows[0]);
  }

  get(brandId: string, id: string): Promise<ReferralCampaignView> {
    return this.find(brandId, id);
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<ReferralCampaignView>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0], after[1]);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SELECT} FROM acquisition_referral_campaigns c
        WHERE c.brand_id = $1 ${after ? 'AND (c.created_at, c.id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, limit, (r) => [(r.created_at as Date).toISOString(), r.id as string], toView);
  }

  private async check(
    brandId: string,
    dto: ReferralCampaignCreateDto,
    startsAt: Date,
    endsAt: Date | null,
  ): Promise<void> {
    const errors: FieldError[] = [];
    if (endsAt && endsAt <= startsAt)
      errors.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
    dto.tiers.forEach((t, i) => {
      if (i > 0 && t.invites <= dto.tiers[i - 1].invites)
        errors.push({
          field: `tiers[${i}].invites`,
          message: 'tiers must need strictly more invites than the one before',
        });
    });
    const strangers = await unknownStaff(this.ds, brandId, dto.staffUserids);
    if (strangers.size)
      errors.push({ field: 'staffUserids', message: `unknown staff: ${[...strangers].join(', ')}` });
    if (dto.groupChatIds?.length) {
      const rows: Array<{ chat_id: string }> = await this.ds.query(
        `SELECT chat_id FROM community_groups WHERE brand_id = $1 AND chat_id = ANY($2::text[]) AND status <> 'dismissed'`,
        [brandId, dto.groupChatIds],
      );
      const known = new Set(rows.map((r) => r.chat_id));
      const unknown = dto.groupChatIds.filter((c) => !known.has(c));
      if (unknown.length)
        errors.push({
          field: 'groupChatIds',
          message: `not a group chat of this brand: ${unknown.join(', ')}`,
        });
    }
    const missingTags = await unknownTags(this.ds, brandId, dto.tagIds ?? []);
    if (missingTags.size)
      errors.push({ field: 'tagIds', message: `unknown tag(s): ${[...missingTags].join(', ')}` });
    const bad = await this.coupons.checkTemplates(brandId, [
      ...new Set(dto.tiers.map((t) => t.couponTemplateId)),
    ]);
    for (const b of bad) {
      const i = dto.tiers.findIndex((t) => t.couponTemplateId === b.id);
      errors.push({ field: `tiers[${i}].couponTemplateId`, message: b.reason });
    }
    if (errors.length) throw ReferralException.invalid(errors);
  }

  async create(actor: Actor, dto: ReferralCampaignCreateDto): Promise<ReferralCampaignView> {
    const startsAt = dto.startsAt ? new Date(dto.startsAt) : new Date();
    const endsAt = dto.endsAt ? new Date(dto.endsAt) : null;
    await this.check(actor.brandId, dto, startsAt, endsAt);
    const tiers: ReferralTier[] = dto.tiers.map((t, i) => ({
      tier: i + 1,
      invites: t.invites,
      couponTemplateId: t.couponTemplateId,
    }));
    const utm = Object.fromEntries(
      Object.entries(dto.utm ?? {}).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
    return this.ds.transaction(async (m) => {
      const [row]: Raw[] = await m.query(
        `INSERT INTO acquisition_referral_campaigns (brand_id, name, starts_at, ends_at, retention_hours, staff_userids, group_chat_ids,
           skip_verify, source_channel, utm, tag_ids, welcome, tiers)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
        [
          actor.brandId,
          dto.name.trim(),
          startsAt,
          endsAt,
          dto.retentionHours ?? DEFAULT_RETENTION_HOURS,
          dto.staffUserids,
          dto.groupChatIds ?? [],
          dto.skipVerify ?? true,
          dto.sourceChannel ?? null,
          JSON.stringify(utm),
          dto.tagIds ?? [],
          dto.welcomeText ? JSON.stringify({ text: dto.welcomeText, attachments: [] }) : null,
          JSON.stringify(tiers),
        ],
      );
      const view = await this.find(actor.brandId, row.id as string, m);
      await this.audit.record(m, actor, {
        action: 'acquisition.referral_campaign.create',
        entityType: 'acquisition_referral_campaign',
        entityId: view.id,
        after: auditOf(view),
      });
      return view;
    });
  }

  async update(actor: Actor, id: string, dto: ReferralCampaignUpdateDto): Promise<ReferralCampaignView> {
    return this.ds.transaction(async (m) => {
      const before = await this.find(actor.brandId, id, m, true);
      const endsAt = dto.status === 'ended' ? new Date() : dto.endsAt ? new Date(dto.endsAt) : before.endsAt;
      if (endsAt && endsAt <= before.startsAt)
        throw ReferralException.invalid([{ field: 'endsAt', message: 'endsAt must be after startsAt' }]);
      await m.query(
        `UPDATE acquisition_referral_campaigns SET name = $3, ends_at = $4, retention_hours = $5, status = $6, updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [
          actor.brandId,
          id,
          dto.name?.trim() ?? before.name,
          endsAt,
          dto.retentionHours ?? before.retentionHours,
          dto.status ?? before.status,
        ],
      );
      const after = await this.find(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'acquisition.referral_campaign.update',
        entityType: 'acquisition_referral_campaign',
        entityId: id,
        before: auditOf(before),
        after: auditOf(after),
      });
      return after;
    });
  }

  private posterUrl(code: string): string {
    return `${this.config.get('LINKS_BASE_URL')}/v1/acquisition/referral-posters/${code}`;
  }

  private async findInvite(
    brandId: string,
    where: string,
    params: unknown[],
  ): Promise<ReferralInviteView | null> {
    const rows: Raw[] = await this.ds.query(
      `SELECT i.*,
         (SELECT count(*) FILTER (WHERE v.status = 'pending') FROM acquisition_referral_invitees v WHERE v.invite_id = i.id)::int AS pending,
         (SELECT count(*) FILTER (WHERE v.status = 'retained') FROM acquisition_referral_invitees v WHERE v.invite_id = i.id)::int AS retained,
         (SELECT count(*) FILTER (WHERE v.status = 'lost') FROM acquisition_referral_invitees v WHERE v.invite_id = i.id)::int AS lost,
         (SELECT count(*) FILTER (WHERE v.status = 'refused') FROM acquisition_referral_invitees v WHERE v.invite_id = i.id)::int AS refused
         FROM acquisition_referral_invites i WHERE i.brand_id = $1 AND ${where}`,
      [brandId, ...params],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id as string,
      campaignId: r.campaign_id as string,
      memberId: r.member_id as string,
      code: r.code as string,
      state: r.state as string,
      qrCode: (r.qr_code as string | null) ?? null,
      joinQrCode: (r.join_qr_code as string | null) ?? null,
      posterUrl: this.posterUrl(r.code as string),
      pending: Number(r.pending),
      retained: Number(r.retained),
      lost: Number(r.lost),
      refused: Number(r.refused),
      createdAt: r.created_at as Date,
    };
  }

  /**
   * The member's personal invite in the campaign: a contact way (add_contact_way, state `rf_<code>`)
   * and, when the campaign has groups, a join way with the same state. Idempotent per member: a
   * second request answers the same invite (`created: false`).
   */
  async createInvite(
    actor: Actor,
    campaignId: string,
    memberId: string,
  ): Promise<{ invite: ReferralInviteView; created: boolean }> {
    const brandId = actor.brandId;
    const campaign = await this.find(brandId, campaignId);
    const existing = await this.findInvite(brandId, 'i.campaign_id = $2 AND i.member_id = $3', [
      campaignId,
      memberId,
    ]);
    if (existing) return { invite: existing, created: false };
    if (campaign.status !== 'active' || (campaign.endsAt && campaign.endsAt <= new Date()))
      throw ReferralException.campaignEnded(campaignId);
    const member: unknown[] = await this.ds.query(
      `SELECT 1 FROM members WHERE brand_id = $1 AND id = $2 AND erased_at IS NULL AND merged_into IS NULL`,
      [brandId, memberId],
    );
    if (!member.length) throw ReferralException.memberNotFound(memberId);
    const code = inviteCode();
    const state = `${REFERRAL_STATE_PREFIX}${code}`;
    const contact = await this.wecom.addContactWay(brandId, {
      type: campaign.staffUserids.length === 1 ? 1 : 2,
      users: campaign.staffUserids,
      state,
      skipVerify: campaign.skipVerify,
      remark: `referral ${code}`,
    });
    let join: { configId: string; qrCode: string | null } | null = null;
    try {
      if (campaign.groupChatIds.length > 0)
        join = await this.wecom.addJoinWay(brandId, {
          chatIds: campaign.groupChatIds,
          state,
          remark: `referral ${code}`,
          autoCreateRoom: false,
        });
      const inserted = await this.ds.transaction(async (m) => {
        const rows: Raw[] = await m.query(
          `INSERT INTO acquisition_referral_invites (brand_id, campaign_id, member_id, code, state, config_id, qr_code, join_config_id, join_qr_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (campaign_id, member_id) DO NOTHING RETURNING id`,
          [
            brandId,
            campaignId,
            memberId,
            code,
            state,
            contact.configId,
            contact.qrCode,
            join?.configId ?? null,
            join?.qrCode ?? null,
          ],
        );
        if (rows[0])
          await this.audit.record(m, actor, {
            action: 'acquisition.referral_invite.create',
            entityType: 'acquisition_referral_invite',
            entityId: rows[0].id as string,
            after: { campaignId, memberId, state },
          });
        return rows.length > 0;
      });
      if (!inserted) throw new Error('lost the race');
    } catch (err) {
      // Another request made this member's invite first (or the write failed): take ours off WeCom.
      await this.wecom.delContactWay(brandId, contact.configId).catch(() => undefined);
      if (join) await this.wecom.delJoinWay(brandId, join.configId).catch(() => undefined);
      const winner = await this.findInvite(brandId, 'i.campaign_id = $2 AND i.member_id = $3', [
        campaignId,
        memberId,
      ]);
      if (winner) return { invite: winner, created: false };
      throw err;
    }
    const invite = await this.findInvite(brandId, 'i.campaign_id = $2 AND i.member_id = $3', [
      campaignId,
      memberId,
    ]);
    return { invite: invite!, created: true };
  }

  async getInvite(brandId: string, campaignId: string, inviteId: string): Promise<ReferralInviteView> {
    await this.find(brandId, campaignId);
    const invite = await this.findInvite(brandId, 'i.campaign_id = $2 AND i.id = $3', [campaignId, inviteId]);
    if (!invite) throw ReferralException.inviteNotFound(inviteId);
    return invite;
  }

  /** The public poster data of an invite (by its code: no brand in the URL, the code is the secret). */
  async poster(code: string): Promise<{
    campaignName: string;
    code: string;
    qrCode: string | null;
    joinQrCode: string | null;
    endsAt: Date | null;
  }> {
    const rows: Raw[] = await this.ds.query(
      `SELECT c.name, c.ends_at, i.code, i.qr_code, i.join_qr_code
         FROM acquisition_referral_invites i JOIN acquisition_referral_campaigns c ON c.id = i.campaign_id
        WHERE i.code = $1`,
      [code],
    );
    if (!rows[0]) throw ReferralException.inviteNotFound(code);
    const r = rows[0];
    return {
      campaignName: r.name as string,
      code: r.code as string,
      qrCode: (r.qr_code as string | null) ?? null,
      joinQrCode: (r.join_qr_code as string | null) ?? null,
      endsAt: (r.ends_at as Date | null) ?? null,
    };
  }

  async leaderboard(brandId: string, campaignId: string, limit: number): Promise<LeaderRow[]> {
    await this.find(brandId, campaignId);
    const rows: Raw[] = await this.ds.query(
      `SELECT v.inviter_member_id, m.nickname,
              count(*) FILTER (WHERE v.status = 'retained')::int AS retained,
              count(*) FILTER (WHERE v.status = 'pending')::int AS pending,
              count(*) FILTER (WHERE v.status = 'lost')::int AS lost,
              count(*) FILTER (WHERE v.status = 'refused')::int AS refused,
              COALESCE((SELECT array_agg(r.tier ORDER BY r.tier) FROM acquisition_referral_rewards r
                         WHERE r.campaign_id = $2 AND r.inviter_member_id = v.inviter_member_id AND r.status = 'issued'), '{}') AS tiers
         FROM acquisition_referral_invitees v JOIN members m ON m.id = v.inviter_member_id
        WHERE v.brand_id = $1 AND v.campaign_id = $2
        GROUP BY v.inviter_member_id, m.nickname
        ORDER BY retained DESC, pending DESC, v.inviter_member_id
        LIMIT $3`,
      [brandId, campaignId, limit],
    );
    return rows.map((r, i) => ({
      rank: i + 1,
      memberId: r.inviter_member_id as string,
      nickname: (r.nickname as string | null) ?? null,
      retained: Number(r.retained),
      pending: Number(r.pending),
      lost: Number(r.lost),
      refused: Number(r.refused),
      rewardTiers: (r.tiers as number[]).map(Number),
    }));
  }

  /**
   * Invitees who deleted (or left) within `quickDeleteMinutes` of coming, per inviter; and inviters
   * with at least `burstCount` invitees inside some `burstMinutes` window (the busiest window each).
   */
  async abuse(
    brandId: string,
    campaignId: string,
    q: { quickDeleteMinutes: number; burstCount: number; burstMinutes: number },
  ): Promise<AbuseReport> {
    await this.find(brandId, campaignId);
    const quick: Raw[] = await this.ds.query(
      `SELECT inviter_member_id, count(*)::int AS n,
              json_agg(json_build_object('externalUserid', external_userid, 'via', via, 'joinedAt', joined_at, 'lostAt', lost_at)
                       ORDER BY joined_at) AS invitees
         FROM acquisition_referral_invitees
        WHERE brand_id = $1 AND campaign_id = $2 AND lost_at IS NOT NULL
          AND lost_at - joined_at <= make_interval(mins => $3)
        GROUP BY inviter_member_id ORDER BY n DESC, inviter_member_id LIMIT 100`,
      [brandId, campaignId, q.quickDeleteMinutes],
    );
    const bursts: Raw[] = await this.ds.query(
      `WITH w AS (
         SELECT inviter_member_id, joined_at,
                count(*) OVER (PARTITION BY inviter_member_id ORDER BY joined_at
                               RANGE BETWEEN CURRENT ROW AND make_interval(mins => $3) FOLLOWING) AS n
           FROM acquisition_referral_invitees WHERE brand_id = $1 AND campaign_id = $2)
       SELECT DISTINCT ON (inviter_member_id) inviter_member_id, n::int AS n, joined_at
         FROM w WHERE n >= $4
        ORDER BY inviter_member_id, n DESC, joined_at`,
      [brandId, campaignId, q.burstMinutes, q.burstCount],
    );
    return {
      quickDeletes: quick.map((r) => ({
        inviterMemberId: r.inviter_member_id as string,
        count: Number(r.n),
        invitees: (
          r.invitees as Array<{ externalUserid: string; via: string; joinedAt: string; lostAt: string }>
        ).map((i) => ({
          externalUserid: i.externalUserid,
          via: i.via,
          joinedAt: new Date(i.joinedAt),
          lostAt: new Date(i.lostAt),
        })),
      })),
      bursts: bursts
        .map((r) => ({
          inviterMemberId: r.inviter_member_id as string,
          maxInWindow: Number(r.n),
          windowStart: r.joined_at as Date,
          windowEnd: new Date((r.joined_at as Date).getTime() + q.burstMinutes * 60_000),
        }))
        .sort((a, b) => b.maxInWindow - a.maxInWindow),
    };
  }

  /** Settles the campaign's invitees whose window passed, now (the scheduled job does it every minute); audited. */
  async settle(actor: Actor, campaignId: string, asOf = new Date()): Promise<SettleResult> {
    await this.find(actor.brandId, campaignId);
    const result = await this.settlement.settleDue(asOf, { brandId: actor.brandId, campaignId });
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'acquisition.referral_campaign.settle',
        entityType: 'acquisition_referral_campaign',
        entityId: campaignId,
        after: { asOf, ...result },
      }),
    );
    return result;
  }
}
