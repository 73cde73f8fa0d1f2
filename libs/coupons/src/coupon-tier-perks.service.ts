import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AppConfig, AuditService, NotFoundException } from '@siyu/platform';
import { TIER_CHANGED, TierChangedEvent } from '@siyu/tiers';
import { DataSource } from 'typeorm';
import { CouponIssuingService } from './coupon-issuing.service';
import { CouponException } from './coupons.errors';
import { UUID_RE } from './coupons.repository';

const PAGE = 1_000;
/**
 * tier_changes ids come from a sequence, and a transaction can commit after a later id was read:
 * besides `id > cursor`, each pass looks again at the last hour of changes for any it has not
 * handled (coupon_tier_perk_changes says which), so such a change is still handled, once.
 */
const RECHECK = `interval '1 hour'`;

export interface PerkRunReport {
  changes: number;
  issued: number;
  refused: number;
}

/**
 * Tier perks: coupons a member receives on reaching a tier. The consumer reads `tier_changes` by
 * id cursor (kept in coupon_tier_cursors, moved in the transaction that issues), marks each change
 * handled (coupon_tier_perk_changes, a primary key), and issues with source `tier_perk` and the
 * change id as the idempotency key: every upgrade's perks exactly once. The `tier.changed` event
 * only makes it run sooner; a periodic pass catches what a lost event missed.
 */
@Injectable()
export class CouponTierPerksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CouponTierPerksService.name);
  private readonly running = new Map<string, Promise<PerkRunReport>>();
  private readonly again = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly issuing: CouponIssuingService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.get('RECONCILE_INTERVAL_MS'));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  @OnEvent(TIER_CHANGED)
  onTierChanged(e: TierChangedEvent): void {
    void this.run(e.brandId).catch((err: unknown) =>
      this.logger.warn({ err, brandId: e.brandId }, 'tier perks run failed'),
    );
  }

  /** Every brand that has perks. */
  async sweep(): Promise<void> {
    const brands: Array<{ brand_id: string }> = await this.ds
      .query(`SELECT DISTINCT brand_id FROM coupon_tier_perks`)
      .catch(() => []);
    for (const b of brands)
      await this.run(b.brand_id).catch((err: unknown) =>
        this.logger.warn({ err }, 'tier perks sweep failed'),
      );
  }

  /** One pass for a brand; a call while one runs makes it run once more after. */
  run(brandId: string): Promise<PerkRunReport> {
    const current = this.running.get(brandId);
    if (current) {
      this.again.add(brandId);
      return current;
    }
    const p = (async () => {
      const total: PerkRunReport = { changes: 0, issued: 0, refused: 0 };
      do {
        this.again.delete(brandId);
        for (;;) {
          const r = await this.page(brandId);
          total.changes += r.changes;
          total.issued += r.issued;
          total.refused += r.refused;
          if (r.changes < PAGE) break;
        }
      } while (this.again.has(brandId));
      return total;
    })().finally(() => this.running.delete(brandId));
    this.running.set(brandId, p);
    return p;
  }

  private async page(brandId: string): Promise<PerkRunReport> {
    return this.ds.transaction(async (m) => {
      await m.query(`INSERT INTO coupon_tier_cursors (brand_id) VALUES ($1) ON CONFLICT DO NOTHING`, [
        brandId,
      ]);
      // One consumer per brand at a time, across processes.
      const [{ last }]: Array<{ last: string }> = await m.query(
        `SELECT last_change_id::text AS last FROM coupon_tier_cursors WHERE brand_id = $1 FOR UPDATE`,
        [brandId],
      );
      const changes: Array<{
        id: string;
        member_id: string;
        to_tier_id: string;
        from_rank: number | null;
        to_rank: number;
      }> = await m.query(
        `SELECT c.id::text AS id, c.member_id, c.to_tier_id, (c.data->>'fromRank')::int AS from_rank, (c.data->>'toRank')::int AS to_rank
             FROM tier_changes c
            WHERE c.brand_id = $1 AND (c.id > $2::bigint OR c.at > now() - ${RECHECK})
              AND NOT EXISTS (SELECT 1 FROM coupon_tier_perk_changes p WHERE p.change_id = c.id)
            ORDER BY c.id LIMIT $3`,
        [brandId, last, PAGE],
      );
      if (changes.length === 0) return { changes: 0, issued: 0, refused: 0 };
      const perks: Array<{ tier_id: string; template_id: string }> = await m.query(
        `SELECT tier_id, template_id FROM coupon_tier_perks WHERE brand_id = $1 AND tier_id = ANY($2::uuid[]) ORDER BY template_id`,
        [brandId, [...new Set(changes.map((c) => c.to_tier_id))]],
      );
      // Reaching a tier from below (or a first tier) earns its perks; a downgrade earns nothing.
      const upgrades = changes.filter((c) => c.from_rank === null || c.to_rank > c.from_rank);
      const outcome = new Map<string, Array<{ templateId: string; couponId?: string; reason?: string }>>();
      let issued = 0;
      let refused = 0;
      for (const templateId of [...new Set(perks.map((p) => p.template_id))]) {
        const tiers = new Set(perks.filter((p) => p.template_id === templateId).map((p) => p.tier_id));
        const due = upgrades.filter((c) => tiers.has(c.to_tier_id));
        if (due.length === 0) continue;
        const results = await this.issuing.issueMany(m, {
          brandId,
          templateId,
          source: 'tier_perk',
          items: due.map((c) => ({ memberId: c.member_id, sourceRef: c.id })),
        });
        due.forEach((c, i) => {
          const r = results[i];
          if (r.ok) issued++;
          else refused++;
          outcome.set(c.id, [
            ...(outcome.get(c.id) ?? []),
            r.ok ? { templateId, couponId: r.couponId } : { templateId, reason: r.reason },
          ]);
        });
      }
      await m.query(
        `INSERT INTO coupon_tier_perk_changes (change_id, brand_id, outcome)
         SELECT x.id, $1, x.outcome FROM unnest($2::bigint[], $3::jsonb[]) AS x(id, outcome)
         ON CONFLICT DO NOTHING`,
        [brandId, changes.map((c) => c.id), changes.map((c) => JSON.stringify(outcome.get(c.id) ?? []))],
      );
      const max = changes.reduce((a, c) => (BigInt(c.id) > a ? BigInt(c.id) : a), BigInt(last));
      await m.query(
        `UPDATE coupon_tier_cursors SET last_change_id = $2, updated_at = now() WHERE brand_id = $1`,
        [brandId, max.toString()],
      );
      return { changes: changes.length, issued, refused };
    });
  }

  /** PUT /v1/coupon-tier-perks/:tierId: the templates reaching the tier grants (replaces the list). */
  async setPerks(
    actor: Actor,
    tierId: string,
    templateIds: string[],
  ): Promise<{ tierId: string; templateIds: string[] }> {
    return this.ds.transaction(async (m) => {
      const [tier] = UUID_RE.test(tierId)
        ? await m.query(`SELECT id FROM tiers WHERE brand_id = $1 AND id = $2`, [actor.brandId, tierId])
        : [];
      if (!tier) throw new NotFoundException('tier', tierId);
      const ids = [...new Set(templateIds.map((i) => i.toLowerCase()))];
      const known: Array<{ id: string }> = ids.length
        ? await m.query(`SELECT id FROM coupon_templates WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [
            actor.brandId,
            ids,
          ])
        : [];
      const missing = ids.filter((id) => !known.some((k) => k.id === id));
      if (missing.length > 0)
        throw CouponException.invalid(
          missing.map((id) => ({
            field: `templateIds[${templateIds.findIndex((x) => x.toLowerCase() === id)}]`,
            message: `${id} is not one of this brand's coupon templates`,
          })),
        );
      const before: Array<{ template_id: string }> = await m
        .query(`DELETE FROM coupon_tier_perks WHERE brand_id = $1 AND tier_id = $2 RETURNING template_id`, [
          actor.brandId,
          tierId,
        ])
        .then((r: [Array<{ template_id: string }>, number]) => r[0]);
      if (ids.length > 0)
        await m.query(
          `INSERT INTO coupon_tier_perks (brand_id, tier_id, template_id) SELECT $1, $2, x FROM unnest($3::uuid[]) AS x`,
          [actor.brandId, tierId, ids],
        );
      await this.audit.record(m, actor, {
        action: 'coupon.tier_perks_set',
        entityType: 'tier',
        entityId: tierId,
        before: { templateIds: before.map((b) => b.template_id) },
        after: { templateIds: ids },
      });
      return { tierId, templateIds: ids };
    });
  }

  async listPerks(brandId: string): Promise<Array<{ tierId: string; templateIds: string[] }>> {
    const rows: Array<{ tier_id: string; ids: string[] }> = await this.ds.query(
      `SELECT tier_id, array_agg(template_id::text ORDER BY template_id) AS ids FROM coupon_tier_perks WHERE brand_id = $1 GROUP BY tier_id ORDER BY tier_id`,
      [brandId],
    );
    return rows.map((r) => ({ tierId: r.tier_id, templateIds: r.ids }));
  }
}
