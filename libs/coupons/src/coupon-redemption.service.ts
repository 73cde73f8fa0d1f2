import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { normaliseCode } from './coupon-codes';
import { CodeKind, CouponKind, RefusalReason, StackingRule, TemplateStatus } from './coupons.constants';
import { CouponException } from './coupons.errors';

/** What a redemption is checked against. */
export interface RedeemInput {
  code: string;
  memberId?: string | null;
  cartAmountMinor: bigint;
  shippingMinor?: bigint | null;
  channel?: string | null;
}

export interface Evaluation {
  valid: boolean;
  reason: RefusalReason | null;
  discountMinor: bigint;
  coupon: CouponRow | null;
  /** not_stackable: the other code it cannot be combined with. */
  conflictsWith?: string | null;
}

export interface Redemption {
  redemptionId: string;
  couponId: string;
  templateId: string;
  code: string;
  discountMinor: string;
  orderRef: string;
  /** True when this (code, order) was redeemed before: the same redemption is answered. */
  existing: boolean;
}

export type RedeemOutcome =
  ({ ok: true } & Redemption) | { ok: false; reason: RefusalReason; detail: string };

interface CouponRow {
  id: string;
  template_id: string;
  code: string;
  kind: CodeKind;
  member_id: string | null;
  max_redemptions: number;
  redemptions: number;
  status: string;
  valid_from: Date | null;
  valid_until: Date | null;
  t_status: TemplateStatus;
  t_kind: CouponKind;
  amount_off_minor: string | null;
  percent_off: number | null;
  max_discount_minor: string | null;
  min_spend_minor: string;
  channels: string[];
  stacking: StackingRule;
  per_member_limit: number | null;
  budget_money_minor: string | null;
  discount_minor: string;
  shared_uses: number | null;
}

const COUPON_SELECT = `SELECT c.id, c.template_id, c.code, c.kind, c.member_id, c.max_redemptions, c.redemptions, c.status,
       c.valid_from, c.valid_until, t.status AS t_status, t.kind AS t_kind, t.amount_off_minor::text AS amount_off_minor,
       t.percent_off, t.max_discount_minor::text AS max_discount_minor, t.min_spend_minor::text AS min_spend_minor,
       t.channels, t.stacking, t.per_member_limit, t.budget_money_minor::text AS budget_money_minor,
       t.discount_minor::text AS discount_minor,
       (SELECT mc.shared_uses FROM coupon_member_counts mc WHERE mc.template_id = c.template_id AND mc.member_id = $3::uuid) AS shared_uses
  FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
 WHERE c.brand_id = $1 AND c.code = $2`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The discount a coupon gives on a cart, in minor units (never more than the cart or the cap). */
export function discountFor(
  t: Pick<CouponRow, 't_kind' | 'amount_off_minor' | 'percent_off' | 'max_discount_minor'>,
  cart: bigint,
  shipping: bigint,
): bigint {
  const cap = t.max_discount_minor !== null ? BigInt(t.max_discount_minor) : null;
  const capped = (d: bigint) => (cap !== null && d > cap ? cap : d);
  switch (t.t_kind) {
    case 'fixed_amount': {
      const off = BigInt(t.amount_off_minor as string);
      return off > cart ? cart : off;
    }
    case 'percentage':
      return capped((cart * BigInt(t.percent_off as number)) / 100n);
    case 'free_shipping':
      return capped(shipping);
  }
}

/** Two coupons may be used together only when both are stackable (exclusive: the only coupon on an order). */
export const stackable = (a: StackingRule, b: StackingRule): boolean =>
  a === 'stackable' && b === 'stackable';

export const REFUSAL_TEXT: Record<RefusalReason, string> = {
  not_found: 'no coupon has this code',
  template_not_active: 'the coupon is not active yet',
  paused: 'the coupon is paused',
  ended: 'the coupon has ended',
  not_yet_valid: 'the coupon is not valid yet',
  expired: 'the coupon has expired',
  void: 'the coupon was voided',
  not_yours: 'the coupon belongs to another member',
  member_required: 'this code needs the member who uses it',
  minimum_spend: 'the cart is below the minimum spend',
  channel_not_allowed: 'the coupon cannot be used on this channel',
  already_used: 'the coupon was already used',
  exhausted: 'the shared code has been used as often as it may be',
  member_limit: 'the member has used this code as often as allowed',
  not_stackable: 'the coupon cannot be combined with other coupons',
  budget_exhausted: "the coupon's money budget is used up",
};

/**
 * Validate and redeem. A redemption is a ledger row unique per (code, order) and three
 * conditional updates — the code's `redemptions < max_redemptions`, the member's shared uses below
 * the limit, the template's `discount_minor + d <= budget_money_minor` — each `… RETURNING`, all
 * inside a savepoint, so a refusal leaves nothing behind and the caller's transaction goes on (an
 * order is recorded even when one of its codes is refused). A rollback is its own ledger row.
 */
@Injectable()
export class CouponRedemptionService {
  private readonly logger = new Logger(CouponRedemptionService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  /**
   * POST /v1/coupons/validate: valid or not (with the reason) and the discount it would give. With
   * the cart's other codes, the stacking rule too: the other codes that would apply themselves
   * (same member, cart and channel) count, and the code is `not_stackable` when it or one of them
   * is exclusive.
   */
  async validate(brandId: string, input: RedeemInput & { otherCodes?: string[] }): Promise<Evaluation> {
    const m = this.ds.manager;
    const ev = await this.evaluate(m, brandId, input);
    if (!ev.valid || !ev.coupon) return ev;
    const mine = ev.coupon;
    const others = [...new Set((input.otherCodes ?? []).map(normaliseCode))].filter((c) => c !== mine.code);
    for (const code of others) {
      const other = await this.evaluate(m, brandId, { ...input, code });
      if (!other.valid || !other.coupon || other.coupon.id === mine.id) continue;
      if (!stackable(mine.stacking, other.coupon.stacking))
        return {
          valid: false,
          reason: 'not_stackable',
          discountMinor: 0n,
          coupon: mine,
          conflictsWith: code,
        };
    }
    return ev;
  }

  async evaluate(
    m: EntityManager,
    brandId: string,
    input: RedeemInput,
    now = new Date(),
  ): Promise<Evaluation> {
    const memberId = input.memberId && UUID_RE.test(input.memberId) ? input.memberId.toLowerCase() : null;
    const [c]: CouponRow[] = await m.query(COUPON_SELECT, [brandId, normaliseCode(input.code), memberId]);
    const refuse = (reason: RefusalReason): Evaluation => ({
      valid: false,
      reason,
      discountMinor: 0n,
      coupon: c ?? null,
    });
    if (!c) return refuse('not_found');
    if (c.t_status === 'ended') return refuse('ended');
    if (c.t_status === 'paused') return refuse('paused');
    if (c.t_status === 'draft') return refuse('template_not_active');
    if (c.status === 'void') return refuse('void');
    if (c.status === 'expired' || (c.valid_until && c.valid_until <= now)) return refuse('expired');
    if (c.valid_from && c.valid_from > now) return refuse('not_yet_valid');
    if (c.kind === 'personal' && input.memberId !== undefined && c.member_id !== memberId)
      return refuse('not_yours');
    if (c.kind === 'shared' && c.per_member_limit !== null && !memberId) return refuse('member_required');
    if (c.channels.length > 0 && !(input.channel && c.channels.includes(input.channel)))
      return refuse('channel_not_allowed');
    if (input.cartAmountMinor < BigInt(c.min_spend_minor)) return refuse('minimum_spend');
    if (c.redemptions >= c.max_redemptions) return refuse(c.kind === 'shared' ? 'exhausted' : 'already_used');
    if (c.kind === 'shared' && c.per_member_limit !== null && (c.shared_uses ?? 0) >= c.per_member_limit)
      return refuse('member_limit');
    const discount = discountFor(c, input.cartAmountMinor, input.shippingMinor ?? 0n);
    if (c.budget_money_minor !== null && BigInt(c.discount_minor) + discount > BigInt(c.budget_money_minor))
      return refuse('budget_exhausted');
    return { valid: true, reason: null, discountMinor: discount, coupon: c };
  }

  /** POST /v1/coupons/redeem: in a transaction of its own, audited; a refusal is a 422 with its reason. */
  async redeemByOperator(
    actor: Actor,
    input: RedeemInput & { orderRef: string; orderId?: string | null; orderAmountMinor?: bigint | null },
  ): Promise<Redemption> {
    return this.ds.transaction(async (m) => {
      // Its own transaction: a refusal throws and rolls all of it back, so no savepoint is needed.
      const r = await this.redeemIn(m, actor.brandId, input, { savepoint: false });
      if (!r.ok) throw CouponException.notRedeemable(r.reason, r.detail);
      if (!r.existing)
        await this.audit.record(m, actor, {
          action: 'coupon.redeemed',
          entityType: 'coupon',
          entityId: r.couponId,
          after: { redemptionId: r.redemptionId, orderRef: r.orderRef, discountMinor: r.discountMinor },
        });
      return r;
    });
  }

  /**
   * Redeems one code for one order in the caller's transaction (inside a savepoint of its own).
   * `trustHolder`: the order's customer is not matched to a member yet, so a personal code is taken
   * as the store took it at checkout.
   */
  async redeemIn(
    m: EntityManager,
    brandId: string,
    input: RedeemInput & {
      orderRef: string;
      orderId?: string | null;
      orderAmountMinor?: bigint | null;
      trustHolder?: boolean;
      note?: string | null;
    },
    opts: { savepoint?: boolean } = {},
  ): Promise<RedeemOutcome> {
    const code = normaliseCode(input.code);
    const prior = await this.priorRedemption(m, brandId, code, input.orderRef);
    if (prior) return { ok: true, ...prior, existing: true };
    if (opts.savepoint === false) return this.attempt(m, brandId, { ...input, code });
    const sp = `coupon_redeem_${randomUUID().replace(/-/g, '')}`;
    await m.query(`SAVEPOINT ${sp}`);
    try {
      const outcome = await this.attempt(m, brandId, { ...input, code });
      if (outcome.ok) await m.query(`RELEASE SAVEPOINT ${sp}`);
      else await m.query(`ROLLBACK TO SAVEPOINT ${sp}`);
      return outcome;
    } catch (err) {
      await m.query(`ROLLBACK TO SAVEPOINT ${sp}`);
      throw err;
    }
  }

  private async attempt(
    m: EntityManager,
    brandId: string,
    input: RedeemInput & {
      orderRef: string;
      orderId?: string | null;
      orderAmountMinor?: bigint | null;
      trustHolder?: boolean;
      note?: string | null;
    },
  ): Promise<RedeemOutcome> {
    const refuse = (reason: RefusalReason): RedeemOutcome => ({
      ok: false,
      reason,
      detail: REFUSAL_TEXT[reason],
    });
    const ev = await this.evaluate(m, brandId, {
      ...input,
      memberId: input.trustHolder && !input.memberId ? undefined : (input.memberId ?? null),
    });
    if (!ev.valid || !ev.coupon) return refuse(ev.reason as RefusalReason);
    const c = ev.coupon;
    const memberId = input.memberId && UUID_RE.test(input.memberId) ? input.memberId.toLowerCase() : null;
    const discount = ev.discountMinor;
    if (await this.stackingClash(m, brandId, c, input.orderRef)) return refuse('not_stackable');

    // 1. The ledger row: unique per (code, order). A concurrent redemption of the same pair waits
    //    here for the first, then finds it.
    const [row]: Array<{ id: string }> = await m.query(
      `INSERT INTO coupon_redemptions (brand_id, kind, coupon_id, template_id, member_id, order_id, order_ref,
                                       cart_amount_minor, order_amount_minor, discount_minor, channel, note)
       VALUES ($1, 'redemption', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        brandId,
        c.id,
        c.template_id,
        memberId ?? (c.kind === 'personal' ? c.member_id : null),
        input.orderId ?? null,
        input.orderRef,
        input.cartAmountMinor.toString(),
        (input.orderAmountMinor ?? input.cartAmountMinor - discount).toString(),
        discount.toString(),
        input.channel ?? null,
        input.note ?? null,
      ],
    );
    if (!row) {
      const prior = await this.priorRedemption(m, brandId, c.code, input.orderRef);
      if (prior) return { ok: true, ...prior, existing: true };
      return refuse(c.kind === 'shared' ? 'exhausted' : 'already_used');
    }
    // 2. The code: at most max_redemptions, only while available and in its window.
    const [codeRows]: [unknown[], number] = await m.query(
      `UPDATE coupons SET redemptions = redemptions + 1, member_id = CASE WHEN kind = 'bearer' THEN COALESCE(member_id, $2::uuid) ELSE member_id END
        WHERE id = $1 AND status = 'available' AND redemptions < max_redemptions
          AND (valid_until IS NULL OR valid_until > now()) AND (valid_from IS NULL OR valid_from <= now())
        RETURNING id`,
      [c.id, memberId],
    );
    if (codeRows.length === 0) return refuse(c.kind === 'shared' ? 'exhausted' : 'already_used');
    // 3. A shared code: the member's uses below the per-member limit.
    if (c.kind === 'shared' && c.per_member_limit !== null && memberId) {
      const used: unknown[] = await m.query(
        `INSERT INTO coupon_member_counts AS mc (template_id, member_id, brand_id, shared_uses)
         VALUES ($1, $2, $3, 1)
         ON CONFLICT (template_id, member_id) DO UPDATE SET shared_uses = mc.shared_uses + 1 WHERE mc.shared_uses < $4
         RETURNING 1`,
        [c.template_id, memberId, brandId, c.per_member_limit],
      );
      if (used.length === 0) return refuse('member_limit');
    }
    // 4. The template: still active (a share lock, so redemptions do not wait on each other and a
    //    pause waits for those in flight), and with a money budget, the money given stays within it
    //    (that row is then the one place every redemption of the template passes, in turn).
    if (c.budget_money_minor === null) {
      // Not taken in the evaluation: with a money budget the UPDATE below would then wait on the
      // other redemptions' share locks while they wait on ours.
      const [t]: Array<{ status: TemplateStatus }> = await m.query(
        `SELECT status FROM coupon_templates WHERE id = $1 FOR SHARE`,
        [c.template_id],
      );
      if (t.status !== 'active') return refuse(t.status === 'paused' ? 'paused' : 'ended');
      return {
        ok: true,
        redemptionId: row.id,
        couponId: c.id,
        templateId: c.template_id,
        code: c.code,
        discountMinor: discount.toString(),
        orderRef: input.orderRef,
        existing: false,
      };
    }
    const [tRows]: [Array<{ status: string }>, number] = await m.query(
      `UPDATE coupon_templates
          SET redeemed_count = redeemed_count + 1, discount_minor = discount_minor + $2::bigint
        WHERE id = $1 AND status = 'active'
          AND (budget_money_minor IS NULL OR discount_minor + $2::bigint <= budget_money_minor)
        RETURNING status`,
      [c.template_id, discount.toString()],
    );
    if (tRows.length === 0) {
      const [t]: Array<{ status: TemplateStatus }> = await m.query(
        `SELECT status FROM coupon_templates WHERE id = $1`,
        [c.template_id],
      );
      return refuse(t.status === 'active' ? 'budget_exhausted' : t.status === 'paused' ? 'paused' : 'ended');
    }
    return {
      ok: true,
      redemptionId: row.id,
      couponId: c.id,
      templateId: c.template_id,
      code: c.code,
      discountMinor: discount.toString(),
      orderRef: input.orderRef,
      existing: false,
    };
  }

  /**
   * Whether the order already carries another coupon this one may not join (either of them
   * exclusive). The order's redemptions take turns on a transaction-scoped advisory lock on
   * (brand, order), so two codes redeemed for one order at once cannot both pass the check.
   */
  private async stackingClash(
    m: EntityManager,
    brandId: string,
    c: CouponRow,
    orderRef: string,
  ): Promise<boolean> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7327))`, [
      brandId,
      orderRef,
    ]);
    const others: Array<{ stacking: StackingRule }> = await m.query(
      `SELECT t.stacking FROM coupon_redemptions r JOIN coupon_templates t ON t.id = r.template_id
        WHERE r.brand_id = $1 AND r.order_ref = $2 AND r.kind = 'redemption' AND r.coupon_id <> $3
          AND NOT EXISTS (SELECT 1 FROM coupon_redemptions b WHERE b.reverses_id = r.id AND b.kind = 'rollback')`,
      [brandId, orderRef, c.id],
    );
    return others.some((o) => !stackable(c.stacking, o.stacking));
  }

  private async priorRedemption(
    m: EntityManager,
    brandId: string,
    code: string,
    orderRef: string,
  ): Promise<Omit<Redemption, 'existing'> | null> {
    const [r]: Array<{ id: string; coupon_id: string; template_id: string; discount_minor: string }> =
      await m.query(
        `SELECT r.id, r.coupon_id, r.template_id, r.discount_minor::text AS discount_minor
         FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
        WHERE c.brand_id = $1 AND c.code = $2 AND r.order_ref = $3 AND r.kind = 'redemption'`,
        [brandId, code, orderRef],
      );
    if (!r) return null;
    return {
      redemptionId: r.id,
      couponId: r.coupon_id,
      templateId: r.template_id,
      code,
      discountMinor: r.discount_minor,
      orderRef,
    };
  }

  /**
   * Rolls back the redemptions of an order (refunded or cancelled): a `rollback` row per redemption
   * (unique, so twice is once) carrying what its partial refunds had not taken back yet, and the
   * counters given back by conditional updates (the template's whole discount: partial refunds left
   * the budget spent). The code can be used again while it is valid. Returns how many were rolled
   * back now.
   */
  async rollbackIn(
    m: EntityManager,
    brandId: string,
    where: { orderId: string } | { code: string; orderRef: string },
    note: string | null,
  ): Promise<number> {
    const rows: Array<{
      id: string;
      coupon_id: string;
      template_id: string;
      member_id: string | null;
      discount_minor: string;
      kind: CodeKind;
      order_ref: string;
    }> =
      'orderId' in where
        ? await m.query(
            `SELECT r.id, r.coupon_id, r.template_id, r.member_id, r.discount_minor::text AS discount_minor, c.kind, r.order_ref
               FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
              WHERE r.brand_id = $1 AND r.order_id = $2 AND r.kind = 'redemption'
              ORDER BY r.coupon_id`,
            [brandId, where.orderId],
          )
        : await m.query(
            `SELECT r.id, r.coupon_id, r.template_id, r.member_id, r.discount_minor::text AS discount_minor, c.kind, r.order_ref
               FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
              WHERE c.brand_id = $1 AND c.code = $2 AND r.order_ref = $3 AND r.kind = 'redemption'`,
            [brandId, normaliseCode(where.code), where.orderRef],
          );
    let n = 0;
    for (const r of rows) {
      const [rb]: Array<{ id: string }> = await m.query(
        `INSERT INTO coupon_redemptions (brand_id, kind, coupon_id, template_id, member_id, order_id, order_ref, reverses_id,
                                         cart_amount_minor, order_amount_minor, discount_minor, channel, note)
         SELECT r.brand_id, 'rollback', r.coupon_id, r.template_id, r.member_id, r.order_id, r.order_ref, r.id,
                r.cart_amount_minor, r.order_amount_minor - coalesce(p.gmv, 0), r.discount_minor - coalesce(p.discount, 0),
                r.channel, $2
           FROM coupon_redemptions r
           LEFT JOIN LATERAL (${PARTIAL_SHARES}) p ON true
          WHERE r.id = $1
         ON CONFLICT DO NOTHING RETURNING id`,
        [r.id, note],
      );
      if (!rb) continue;
      n++;
      await m.query(`UPDATE coupons SET redemptions = redemptions - 1 WHERE id = $1 AND redemptions > 0`, [
        r.coupon_id,
      ]);
      if (r.kind === 'shared' && r.member_id)
        await m.query(
          `UPDATE coupon_member_counts SET shared_uses = shared_uses - 1
            WHERE template_id = $1 AND member_id = $2 AND shared_uses > 0`,
          [r.template_id, r.member_id],
        );
      await m.query(
        `UPDATE coupon_templates SET redeemed_count = redeemed_count - 1, discount_minor = discount_minor - $2::bigint
          WHERE id = $1 AND budget_money_minor IS NOT NULL AND redeemed_count > 0 AND discount_minor >= $2::bigint`,
        [r.template_id, r.discount_minor],
      );
    }
    return n;
  }

  /** POST /v1/coupons/rollback: a redemption made through the API, given back (its order was refunded). */
  async rollbackByOperator(
    actor: Actor,
    dto: { code: string; orderRef: string; reason?: string },
  ): Promise<number> {
    return this.ds.transaction(async (m) => {
      const n = await this.rollbackIn(
        m,
        actor.brandId,
        { code: dto.code, orderRef: dto.orderRef },
        dto.reason ?? null,
      );
      if (n > 0)
        await this.audit.record(m, actor, {
          action: 'coupon.rolled_back',
          entityType: 'coupon_redemption',
          entityId: `${normaliseCode(dto.code)}/${dto.orderRef}`.slice(0, 100),
          after: { code: normaliseCode(dto.code), orderRef: dto.orderRef, reason: dto.reason ?? null },
        });
      return n;
    });
  }

  /**
   * A partial refund of an order: each of its live redemptions gets a `partial_refund` row with the
   * refunded share of its discount, ⌊discount × refunded / paid⌋, and of its GMV (the money
   * refunded), each less what earlier partial refunds recorded. The code stays used and the
   * budgets stay spent. Keyed by (redemption, order's refunded total), so the same refund state
   * seen twice writes once; the order's row lock (held by the refund) puts refunds in turn.
   */
  async refundShareIn(
    m: EntityManager,
    brandId: string,
    orderId: string,
    refundedMinor: bigint,
  ): Promise<number> {
    const rows: unknown[] = await m.query(
      `INSERT INTO coupon_redemptions (brand_id, kind, coupon_id, template_id, member_id, order_id, order_ref, reverses_id,
                                       refunded_through_minor, cart_amount_minor, order_amount_minor, discount_minor, channel, note)
       SELECT r.brand_id, 'partial_refund', r.coupon_id, r.template_id, r.member_id, r.order_id, r.order_ref, r.id,
              $3::bigint, 0, s.gmv - coalesce(p.gmv, 0), s.discount - coalesce(p.discount, 0), r.channel, $4
         FROM coupon_redemptions r
         CROSS JOIN LATERAL (
           SELECT LEAST($3::bigint, r.order_amount_minor) AS gmv,
                  CASE WHEN r.order_amount_minor = 0 THEN r.discount_minor
                       ELSE div(r.discount_minor::numeric * LEAST($3::bigint, r.order_amount_minor), r.order_amount_minor)::bigint
                  END AS discount) s
         LEFT JOIN LATERAL (${PARTIAL_SHARES}) p ON true
        WHERE r.brand_id = $1 AND r.order_id = $2 AND r.kind = 'redemption'
          AND NOT EXISTS (SELECT 1 FROM coupon_redemptions b WHERE b.reverses_id = r.id AND b.kind = 'rollback')
          AND (s.gmv > coalesce(p.gmv, 0) OR s.discount > coalesce(p.discount, 0))
       ON CONFLICT DO NOTHING RETURNING id`,
      [brandId, orderId, refundedMinor.toString(), `order partially refunded (${refundedMinor} in all)`],
    );
    return rows.length;
  }

  /**
   * The order hook (CommerceHooks.onOrdersChanged): a recorded order redeems its codes, a partly
   * refunded one records its refund's shares, a refunded or cancelled one rolls them back, in the
   * order's transaction. A refused code does not stop the order; it is logged with its reason.
   */
  async onOrders(
    m: EntityManager,
    change: { brandId: string; orderIds: string[]; cause: string },
  ): Promise<void> {
    if (change.orderIds.length === 0) return;
    const orders: OrderRow[] = await m.query(
      `SELECT o.id, o.member_id, o.status, o.source, o.amount_minor::text AS amount_minor,
              o.refunded_minor::text AS refunded_minor, o.coupon_codes,
              (SELECT sum(i.quantity * i.unit_price_minor)::text FROM order_items i WHERE i.order_id = o.id) AS items_minor
         FROM orders o
        WHERE o.brand_id = $1 AND o.id = ANY($2::uuid[]) AND cardinality(o.coupon_codes) > 0
        ORDER BY o.id`,
      [change.brandId, change.orderIds],
    );
    const known = change.cause === 'created' ? await this.knownCodes(m, change.brandId, orders) : null;
    for (const o of orders) {
      if (o.status === 'refunded' || o.status === 'cancelled') {
        await this.rollbackIn(m, change.brandId, { orderId: o.id }, `order ${o.status}`);
        continue;
      }
      if (known) await this.redeemOrder(m, change.brandId, o, known);
      if (o.status === 'partially_refunded')
        await this.refundShareIn(m, change.brandId, o.id, BigInt(o.refunded_minor));
    }
  }

  /**
   * An order's codes. Several codes are redeemed together only when every one that would apply is
   * stackable: with an exclusive one among them, none of them is (each refused `not_stackable`),
   * since the exclusive coupon may not be combined and the others may join only stackable ones.
   */
  /**
   * Which of a batch's codes are the brand's, in one lookup: a code that is not (a typo, another
   * shop's code, a marketplace voucher) is refused `not_found` without the per-code statements
   * of a redemption attempt, which on a webhook batch were most of its statements.
   */
  private async knownCodes(m: EntityManager, brandId: string, orders: OrderRow[]): Promise<Set<string>> {
    const all = [...new Set(orders.flatMap((o) => o.coupon_codes.map(normaliseCode)))];
    if (all.length === 0) return new Set();
    const rows: Array<{ code: string }> = await m.query(
      `SELECT code FROM coupons WHERE brand_id = $1 AND code = ANY($2::text[])`,
      [brandId, all],
    );
    const known = new Set(rows.map((r) => r.code));
    const unknown = all.length - known.size;
    if (unknown > 0)
      this.logger.log(
        { reason: 'not_found', codes: unknown },
        'order coupon codes that are not the brand’s were not redeemed',
      );
    return known;
  }

  private async redeemOrder(
    m: EntityManager,
    brandId: string,
    o: OrderRow,
    known: Set<string>,
  ): Promise<void> {
    const amount = BigInt(o.amount_minor);
    const items = o.items_minor ? BigInt(o.items_minor) : 0n;
    const input = {
      memberId: o.member_id,
      trustHolder: o.member_id === null,
      // The items' list price is the cart the coupon was applied to; without items, what was paid.
      cartAmountMinor: items > amount ? items : amount,
      orderAmountMinor: amount,
      channel: o.source,
      orderRef: o.id,
      orderId: o.id,
    };
    const codes = [...new Set(o.coupon_codes.map(normaliseCode))].filter((c) => known.has(c));
    if (codes.length > 1) {
      const applying: StackingRule[] = [];
      for (const code of codes) {
        const ev = await this.evaluate(m, brandId, {
          ...input,
          code,
          memberId: o.member_id === null ? undefined : o.member_id,
        });
        if (ev.valid && ev.coupon) applying.push(ev.coupon.stacking);
      }
      if (applying.length > 1 && applying.includes('exclusive')) {
        this.logger.log(
          { orderId: o.id, reason: 'not_stackable', codes: codes.length },
          'the order combines an exclusive coupon with others; none was redeemed',
        );
        return;
      }
    }
    for (const code of codes) {
      const r = await this.redeemIn(m, brandId, { ...input, code });
      if (!r.ok) this.logger.log({ orderId: o.id, reason: r.reason }, 'an order coupon was not redeemed');
    }
  }
}

interface OrderRow {
  id: string;
  member_id: string | null;
  status: string;
  source: string;
  amount_minor: string;
  refunded_minor: string;
  coupon_codes: string[];
  items_minor: string | null;
}

/** What a redemption's partial refunds took back so far (`r` is the redemption). */
const PARTIAL_SHARES = `SELECT sum(x.discount_minor) AS discount, sum(x.order_amount_minor) AS gmv
  FROM coupon_redemptions x WHERE x.reverses_id = r.id AND x.kind = 'partial_refund'`;
