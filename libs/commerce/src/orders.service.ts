import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IdentityTuple, MemberEventsService, MembersService, NewMemberEvent } from '@siyu/members';
import {
  Actor,
  AuditService,
  DomainException,
  FieldError,
  flattenValidationErrors,
  NotFoundException,
  Page,
} from '@siyu/platform';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { CommerceHooks } from './commerce-hooks';
import { ORDER_EVENT_TYPES, OrderStatus, SYSTEM_REFUND_PREFIX } from './commerce.constants';
import { CommerceException } from './commerce.errors';
import { inTransaction, lockMembers, RetryTransaction } from './commerce-tx';
import { withValidationMetadataMemo } from './dto/batch-validation';
import { OrderCreateDto } from './dto/order-create.dto';
import { OrderRefundCreateDto } from './dto/order-refund-create.dto';
import { parseMinorUnits } from './dto/validators';
import { NewOrderRow, OrderAggregatesService } from './order-aggregates.service';
import {
  ORDER_COLUMNS,
  OrderFilter,
  OrderRefundView,
  OrdersRepository,
  OrderSummary,
  OrderView,
  toOrderView,
} from './orders.repository';

export type RecordOutcome = 'created' | 'existing' | 'updated';

export type BatchItemResult =
  | { index: number; outcome: RecordOutcome; order: OrderView }
  | { index: number; outcome: 'failed'; error: DomainException };

export interface RefundResult {
  refund: OrderRefundView;
  order: OrderView;
  created: boolean;
}

interface NormItem {
  sku: string;
  name: string | null;
  category: string | null;
  quantity: number;
  unitPriceMinor: string;
}

/** A validated order, normalised: amounts as bigint, identities in stored form. */
interface NormOrder {
  index: number;
  source: string;
  externalId: string;
  memberId: string | null;
  /** The identity field of the request behind each tuple, for error messages. */
  tuples: Array<IdentityTuple & { field: string }>;
  amount: bigint;
  refunded: bigint;
  currency: string;
  status: OrderStatus;
  placedAt: Date;
  items: NormItem[];
  couponCodes: string[];
  linkCode: string | null;
  /** Filled in while recording: the member it belongs to (null: unmatched). */
  resolved?: string | null;
}

const IDENTITY_FIELDS: Array<[keyof NonNullable<OrderCreateDto['identities']>, string]> = [
  ['unionid', 'unionid'],
  ['openid', 'openid'],
  ['externalUserId', 'external_userid'],
  ['phone', 'phone'],
  ['storeCustomerId', 'store_customer_id'],
];
const FIELD_OF_KIND = Object.fromEntries(IDENTITY_FIELDS.map(([f, k]) => [k, f])) as Record<string, string>;

/** More identity keys than this in one transaction are not advisory-locked (the sweep catches their rare race). */
const MAX_IDENTITY_LOCKS = 1_000;

const keyOf = (o: { source: string; externalId: string }) => `${o.source}\u0000${o.externalId}`;

/**
 * Orders validated and normalised (`OrdersService.prepareBatch`), ready to be recorded: a caller
 * that opens its own transaction prepares them first, so the transaction does not stay open (and
 * its members' rows locked) while Node validates, nor validates again when it is retried.
 */
export class PreparedOrders {
  /** @internal */
  constructor(
    readonly size: number,
    readonly single: boolean,
    readonly valid: readonly NormOrder[],
    readonly failures: ReadonlyMap<number, DomainException>,
  ) {}
}

class ItemError extends Error {
  constructor(readonly error: DomainException) {
    super(error.message);
  }
}

/**
 * Records orders and refunds. Every write: member row locks first (id order), then the orders,
 * then the members' aggregates recomputed from their orders, then the hooks, in one transaction.
 */
@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: OrdersRepository,
    private readonly members: MembersService,
    private readonly events: MemberEventsService,
    private readonly aggregates: OrderAggregatesService,
    private readonly hooks: CommerceHooks,
    private readonly audit: AuditService,
  ) {}

  // ------------------------------------------------------------------ recording

  /**
   * Records one order (validated here too, so any caller — the API, a webhook — gets the same
   * rules). `created` on insert, `existing` when the key was known and nothing changed, `updated`
   * when its status moved forward. Throws the order's error otherwise. Runs in `manager` when given.
   */
  async record(
    actor: Actor,
    input: unknown,
    opts: { manager?: EntityManager } = {},
  ): Promise<{ outcome: RecordOutcome; order: OrderView }> {
    const [result] = await this.recordMany(actor, this.prepare([input], true), opts);
    if (result.outcome === 'failed') throw result.error;
    return result;
  }

  /**
   * Records up to 1,000 orders set-wise. Each order is validated alone; a bad one is reported by its
   * index (field paths `orders[i].…`) and the good ones are recorded, all in one transaction.
   * `inputs` may be a batch prepared beforehand (`prepareBatch`).
   */
  async recordBatch(
    actor: Actor,
    inputs: unknown[] | PreparedOrders,
    opts: { manager?: EntityManager } = {},
  ): Promise<BatchItemResult[]> {
    const batch = inputs instanceof PreparedOrders ? inputs : this.prepareBatch(inputs);
    if (batch.single) throw new Error('recordBatch takes a batch prepared by prepareBatch');
    return this.recordMany(actor, batch, opts);
  }

  /**
   * Validates and normalises a batch for `recordBatch`, without touching the database: what a caller
   * does before it opens the transaction the orders are recorded in.
   */
  prepareBatch(inputs: unknown[]): PreparedOrders {
    return this.prepare(inputs, false);
  }

  private prepare(inputs: unknown[], single: boolean): PreparedOrders {
    const failures = new Map<number, DomainException>();
    const valid: NormOrder[] = [];
    withValidationMetadataMemo(() => {
      for (let i = 0; i < inputs.length; i++) {
        const normalised = this.normalise(inputs[i], i, single ? '' : `orders[${i}]`);
        if (normalised instanceof DomainException) failures.set(i, normalised);
        else valid.push(normalised);
      }
    });
    return new PreparedOrders(inputs.length, single, valid, failures);
  }

  private async recordMany(
    actor: Actor,
    batch: PreparedOrders,
    opts: { manager?: EntityManager },
  ): Promise<BatchItemResult[]> {
    const failures = new Map(batch.failures);
    const done = new Map<number, { outcome: RecordOutcome; order: OrderView }>();
    const prefix = (i: number) => (batch.single ? '' : `orders[${i}]`);
    if (batch.valid.length > 0) {
      // The write mutates its orders (their resolved member): each attempt gets its own copies.
      const written = await inTransaction(this.ds, opts.manager, (m) =>
        this.write(
          m,
          actor,
          batch.valid.map((o) => ({ ...o })),
          batch.single,
        ),
      );
      for (const [index, e] of written.failed)
        failures.set(index, batch.single ? e : withPrefix(e, (field) => `${prefix(index)}.${field}`));
      for (const [index, r] of written.done) done.set(index, r);
    }

    return Array.from({ length: batch.size }, (_, index) => {
      const failure = failures.get(index);
      if (failure) return { index, outcome: 'failed' as const, error: failure };
      const ok = done.get(index);
      if (!ok) throw new Error(`order ${index} has no outcome`);
      return { index, ...ok };
    });
  }

  /**
   * Validation and normalisation of one input: the order, or the error that names its fields.
   * Synchronous (`validateSync`: every rule of the order DTOs is), inside `prepare`'s pass.
   */
  private normalise(raw: unknown, index: number, prefix: string): NormOrder | DomainException {
    const at = (field: string) => (prefix ? (field ? `${prefix}.${field}` : prefix) : field);
    const invalid = (errors: FieldError[]) =>
      new DomainException(
        'VALIDATION_FAILED',
        400,
        'The order has invalid fields',
        errors.map((e) => ({ ...e, field: at(e.field) })),
      );
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return invalid([{ field: '', message: 'an order must be a JSON object' }]);
    const dto = plainToInstance(OrderCreateDto, raw);
    const errors = validateSync(dto, {
      whitelist: true,
      forbidNonWhitelisted: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0) return invalid(flattenValidationErrors(errors));

    if (dto.memberId !== undefined && dto.identities !== undefined)
      return withPrefix(CommerceException.customerTwice(), at);
    let tuples: NormOrder['tuples'] = [];
    if (dto.identities !== undefined) {
      try {
        tuples = this.members
          .identityTuples(dto.identities)
          .map((t) => ({ ...t, field: `identities.${FIELD_OF_KIND[t.kind]}` }));
      } catch (err) {
        if (err instanceof DomainException) return withPrefix(err, at);
        throw err;
      }
    }
    if (dto.memberId === undefined && tuples.length === 0)
      return withPrefix(CommerceException.customerMissing(), at);

    const amount = parseMinorUnits(dto.amountMinor) as bigint;
    const given = dto.refundedMinor === undefined ? null : (parseMinorUnits(dto.refundedMinor) as bigint);
    let refunded = 0n;
    const refundError = (message: string) => invalid([{ field: 'refundedMinor', message }]);
    switch (dto.status) {
      case 'refunded':
        if (given !== null && given !== amount)
          return refundError('refundedMinor must equal amountMinor for a refunded order');
        refunded = amount;
        break;
      case 'partially_refunded':
        if (given === null || given <= 0n || given >= amount)
          return refundError(
            'refundedMinor is required for a partially_refunded order: more than 0 and less than amountMinor',
          );
        refunded = given;
        break;
      default:
        if (given !== null && given !== 0n)
          return refundError(`refundedMinor must be 0 or absent for a ${dto.status} order`);
    }
    return {
      index,
      source: dto.source,
      externalId: dto.externalId,
      memberId: dto.memberId?.toLowerCase() ?? null,
      tuples,
      amount,
      refunded,
      currency: dto.currency,
      status: dto.status,
      placedAt: new Date(dto.placedAt),
      items: (dto.items ?? []).map((i) => ({
        sku: i.sku,
        name: i.name ?? null,
        category: i.category ?? null,
        quantity: i.quantity,
        unitPriceMinor: String(parseMinorUnits(i.unitPriceMinor)),
      })),
      couponCodes: dto.couponCodes ?? [],
      linkCode: dto.linkCode ?? null,
    };
  }

  /** One attempt at writing the orders (run again from scratch when the transaction is retried). */
  private async write(
    m: EntityManager,
    actor: Actor,
    orders: NormOrder[],
    single: boolean,
  ): Promise<{
    done: Map<number, { outcome: RecordOutcome; order: OrderView }>;
    failed: Map<number, DomainException>;
  }> {
    const brandId = actor.brandId;
    const out = new Map<number, { outcome: RecordOutcome; order: OrderView }>();
    const failed = new Map<number, DomainException>();
    const reject = (o: NormOrder, e: DomainException) => failed.set(o.index, e);
    const live = () => orders.filter((o) => !failed.has(o.index));
    for (const o of orders) o.resolved = undefined;

    // 1. Currency: the brand's books are in one currency.
    const currency = await this.repo.brandCurrency(brandId, m);
    for (const o of live())
      if (o.currency !== currency) reject(o, CommerceException.currencyMismatch(o.currency, currency));

    // 2. Customers: member ids (a merged member's orders go to its survivor), then identities.
    await this.resolveMemberIds(m, brandId, live(), reject);
    await this.resolveIdentities(
      m,
      brandId,
      live().filter((o) => o.memberId === null),
      reject,
    );
    // Unmatched orders: lock their identities as a member upsert does, then look again, so an upsert
    // adding one of them either committed before (we see it) or waits and then matches our claims.
    const unmatched = live().filter((o) => o.resolved === null);
    const lockKeys = unmatched.flatMap((o) => o.tuples);
    if (unmatched.length > 0 && lockKeys.length <= MAX_IDENTITY_LOCKS) {
      await this.members.lockIdentities(m, brandId, lockKeys);
      await this.resolveIdentities(m, brandId, unmatched, reject);
    }

    // 3. Lock the members involved (those of new orders and of orders already recorded under these keys).
    const keys = live().map((o) => ({ source: o.source, externalId: o.externalId }));
    const before = await this.repo.findByKeys(brandId, keys, m);
    const locked = new Set<string>();
    const lock = async (ids: Array<string | null | undefined>, resolved: Set<string>) => {
      const wanted = ids.filter((id): id is string => !!id && !locked.has(id));
      if (wanted.length === 0) return;
      for (const r of await lockMembers(m, brandId, wanted)) {
        // A member we resolved was merged away or erased while we waited for it: read everything again.
        if (resolved.has(r.id) && (r.mergedInto || r.erasedAt))
          throw new RetryTransaction(`member ${r.id} changed while the order was recorded`);
        locked.add(r.id);
      }
    };
    const resolvedIds = new Set(
      live()
        .map((o) => o.resolved)
        .filter((id): id is string => !!id),
    );
    await lock([...resolvedIds, ...before.map((b) => b.memberId)], resolvedIds);

    // 4. Insert the new keys (the first order of a key in this request), set-wise.
    const existing = new Set(before.map(keyOf));
    const firstOfKey = new Map<string, NormOrder>();
    for (const o of live())
      if (!existing.has(keyOf(o)) && !firstOfKey.has(keyOf(o))) firstOfKey.set(keyOf(o), o);
    const inserted = await this.insertOrders(m, brandId, [...firstOfKey.values()]);
    for (const row of inserted) {
      const o = firstOfKey.get(keyOf(row)) as NormOrder;
      out.set(o.index, { outcome: 'created', order: row });
    }

    // 5. Keys already recorded (before, concurrently, or earlier in this request): compare.
    const rest = live().filter((o) => !out.has(o.index));
    const transitioned = new Set<string>();
    const events: NewMemberEvent[] = [];
    if (rest.length > 0) {
      const current = await this.repo.findByKeys(brandId, rest, m, true);
      await lock(
        current.map((c) => c.memberId),
        new Set(),
      );
      const byKey = new Map(current.map((c) => [keyOf(c), c]));
      for (const o of rest) {
        const row = byKey.get(keyOf(o));
        if (!row) throw new RetryTransaction(`order ${o.source}/${o.externalId} vanished`);
        if (row.memberId !== null && !locked.has(row.memberId))
          throw new RetryTransaction(`order ${row.id} moved`);
        try {
          const next = await this.applyRepost(m, actor, row, o, events);
          byKey.set(keyOf(o), next.order);
          if (next.outcome === 'updated') transitioned.add(next.order.id);
          out.set(o.index, next);
        } catch (err) {
          if (err instanceof ItemError) reject(o, err.error);
          else throw err;
        }
      }
    }

    // 6. Aggregates (the new orders are in them already; a status change recomputes its members), timeline, hooks, audit.
    const created = inserted;
    const newMembers = new Set(created.map((c) => c.memberId).filter((id): id is string => id !== null));
    const changedOrders = [...out.values()].filter((r) => transitioned.has(r.order.id)).map((r) => r.order);
    const statusMembers = new Set(
      changedOrders.map((c) => c.memberId).filter((id): id is string => id !== null),
    );
    await this.aggregates.recomputeMembers(m, brandId, [...statusMembers].sort());
    for (const c of created) if (c.memberId !== null) events.push(...this.creationEvents(actor, c));
    await this.events.appendMany(
      m,
      events.filter((e) => e.memberId),
    );
    await this.hooks.memberOrdersChanged(m, { brandId, memberIds: [...newMembers].sort(), cause: 'order' });
    await this.hooks.memberOrdersChanged(m, {
      brandId,
      memberIds: [...statusMembers].filter((id) => !newMembers.has(id)).sort(),
      cause: 'status',
    });
    await this.hooks.ordersChanged(m, { brandId, orderIds: created.map((c) => c.id), cause: 'created' });
    await this.hooks.ordersChanged(m, { brandId, orderIds: changedOrders.map((c) => c.id), cause: 'status' });

    // The results show the orders as they are now. A created order came back from its INSERT with
    // its final flag unless a status change recomputed its member; an order recorded before may have
    // lost its first-order place to a new one of its member. Only those are read again (a single
    // order always is, with its items and refunds).
    const stale = (r: { outcome: RecordOutcome; order: OrderView }) =>
      single ||
      (r.order.memberId !== null &&
        (statusMembers.has(r.order.memberId) ||
          (r.outcome !== 'created' && newMembers.has(r.order.memberId))));
    const ids = [...new Set([...out.values()].filter(stale).map((r) => r.order.id))];
    const fresh = new Map((await this.ordersByIds(m, brandId, ids, single)).map((v) => [v.id, v]));
    for (const [index, r] of out)
      out.set(index, { outcome: r.outcome, order: fresh.get(r.order.id) ?? r.order });

    if (single) {
      const [r] = [...out.values()];
      if (r && r.outcome !== 'existing')
        await this.audit.record(m, actor, {
          action: r.outcome === 'created' ? 'order.create' : 'order.update',
          entityType: 'order',
          entityId: r.order.id,
          after: auditSnapshot(r.order),
        });
    } else if (created.length + changedOrders.length > 0) {
      await this.audit.record(m, actor, {
        action: 'order.batch',
        entityType: 'order_batch',
        entityId: randomUUID(),
        after: {
          received: orders.length,
          created: created.map((c) => c.id),
          updated: changedOrders.map((c) => c.id),
        },
      });
    }
    return { done: out, failed };
  }

  /** memberId → the member (a merged one's survivor); unknown or erased members fail the order. */
  private async resolveMemberIds(
    m: EntityManager,
    brandId: string,
    orders: NormOrder[],
    reject: (o: NormOrder, e: DomainException) => void,
  ): Promise<void> {
    const withId = orders.filter((o) => o.memberId !== null);
    if (withId.length === 0) return;
    const rows: Array<{ asked: string; id: string; erased: boolean }> = await m.query(
      `WITH RECURSIVE chain AS (
         SELECT id AS asked, id, merged_into, erased_at, 0 AS depth FROM members WHERE brand_id = $1 AND id = ANY($2::uuid[])
         UNION ALL
         SELECT c.asked, mm.id, mm.merged_into, mm.erased_at, c.depth + 1
           FROM chain c JOIN members mm ON mm.id = c.merged_into AND mm.brand_id = $1
          WHERE c.depth < 16)
       SELECT DISTINCT ON (asked) asked::text, id::text, erased_at IS NOT NULL AS erased
         FROM chain WHERE merged_into IS NULL ORDER BY asked, depth`,
      [brandId, [...new Set(withId.map((o) => o.memberId))]],
    );
    const found = new Map(rows.map((r) => [r.asked, r]));
    for (const o of withId) {
      const r = found.get(o.memberId as string);
      if (!r) reject(o, CommerceException.memberNotFound(o.memberId as string));
      else if (r.erased) reject(o, CommerceException.memberErased(o.memberId as string));
      else o.resolved = r.id;
    }
  }

  /** Identities → their member; none: unmatched (null); two or more members: the order fails. */
  private async resolveIdentities(
    m: EntityManager,
    brandId: string,
    orders: NormOrder[],
    reject: (o: NormOrder, e: DomainException) => void,
  ): Promise<void> {
    if (orders.length === 0) return;
    const idx: number[] = [];
    const kinds: string[] = [];
    const apps: string[] = [];
    const values: string[] = [];
    for (const o of orders)
      for (const t of o.tuples) {
        idx.push(o.index);
        kinds.push(t.kind);
        apps.push(t.appId);
        values.push(t.value);
      }
    const rows: Array<{ idx: number; kind: string; member_id: string }> = await m.query(
      `SELECT g.idx, g.kind, i.member_id::text AS member_id
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS g(idx, kind, app_id, value)
         JOIN member_identities i ON i.brand_id = $1 AND i.kind = g.kind AND i.app_id = g.app_id AND i.value = g.value`,
      [brandId, idx, kinds, apps, values],
    );
    const owners = new Map<number, Array<{ kind: string; memberId: string }>>();
    for (const r of rows)
      owners.set(r.idx, [...(owners.get(r.idx) ?? []), { kind: r.kind, memberId: r.member_id }]);
    for (const o of orders) {
      const own = owners.get(o.index) ?? [];
      const memberIds = [...new Set(own.map((x) => x.memberId))].sort();
      if (memberIds.length > 1) {
        reject(
          o,
          CommerceException.identityConflict(
            memberIds,
            own.map((x) => ({
              field: `identities.${FIELD_OF_KIND[x.kind]}`,
              message: `belongs to member ${x.memberId}`,
            })),
          ),
        );
      } else {
        o.resolved = memberIds[0] ?? null;
      }
    }
  }

  /**
   * INSERT … SELECT FROM jsonb_to_recordset … ON CONFLICT DO NOTHING with the repurchase flags and
   * the members' aggregates (OrderAggregatesService.insertNew), then items, claims, initial refunds.
   */
  private async insertOrders(m: EntityManager, brandId: string, orders: NormOrder[]): Promise<OrderView[]> {
    if (orders.length === 0) return [];
    const rows: NewOrderRow[] = orders.map((o) => ({
      member_id: o.resolved ?? null,
      source: o.source,
      external_id: o.externalId,
      status: o.status,
      currency: o.currency,
      amount_minor: o.amount.toString(),
      refunded_minor: o.refunded.toString(),
      placed_at: o.placedAt.toISOString(),
      coupon_codes: o.couponCodes,
      link_code: o.linkCode,
    }));
    // The flags and the members' aggregates move in the same statement (see OrderAggregatesService).
    const raw = await this.aggregates.insertNew(m, brandId, rows, ORDER_COLUMNS);
    const created = raw.map(toOrderView);
    if (created.length === 0) return created;
    const byKey = new Map(orders.map((o) => [keyOf(o), o]));
    const items: Array<Record<string, unknown>> = [];
    const claims: Array<Record<string, unknown>> = [];
    const refunds: Array<Record<string, unknown>> = [];
    for (const c of created) {
      const o = byKey.get(keyOf(c)) as NormOrder;
      o.items.forEach((i) =>
        items.push({
          n: items.length,
          order_id: c.id,
          sku: i.sku,
          name: i.name,
          category: i.category,
          quantity: i.quantity,
          unit_price_minor: i.unitPriceMinor,
        }),
      );
      if (c.memberId === null)
        for (const t of o.tuples)
          claims.push({ order_id: c.id, kind: t.kind, app_id: t.appId, value: t.value });
      if (o.refunded > 0n)
        refunds.push({
          order_id: c.id,
          external_id: `${SYSTEM_REFUND_PREFIX}recorded-${o.status}`,
          amount_minor: o.refunded.toString(),
          reason: `recorded as ${o.status}`,
        });
    }
    if (items.length > 0)
      await m.query(
        `INSERT INTO order_items (brand_id, order_id, sku, name, category, quantity, unit_price_minor)
         SELECT $1, r.order_id, r.sku, r.name, r.category, r.quantity, r.unit_price_minor
           FROM jsonb_to_recordset($2::jsonb) AS r(n int, order_id uuid, sku text, name text, category text,
                quantity int, unit_price_minor bigint)
          ORDER BY n`,
        [brandId, JSON.stringify(items)],
      );
    if (claims.length > 0)
      await m.query(
        `INSERT INTO order_identity_claims (brand_id, order_id, kind, app_id, value)
         SELECT DISTINCT $1::uuid, r.order_id, r.kind, r.app_id, r.value
           FROM jsonb_to_recordset($2::jsonb) AS r(order_id uuid, kind text, app_id text, value text)`,
        [brandId, JSON.stringify(claims)],
      );
    if (refunds.length > 0)
      await m.query(
        `INSERT INTO order_refunds (brand_id, order_id, external_id, amount_minor, reason, refunded_at)
         SELECT $1, r.order_id, r.external_id, r.amount_minor, r.reason, now()
           FROM jsonb_to_recordset($2::jsonb) AS r(order_id uuid, external_id text, amount_minor bigint, reason text)`,
        [brandId, JSON.stringify(refunds)],
      );
    return created;
  }

  /**
   * The same key again. Content (amount, currency, placedAt, items, coupons, the member) must be
   * what was recorded, else 409 naming the fields. The status may move forward — paid →
   * partially_refunded → refunded (a refund row for the difference), paid → cancelled — and an
   * older status than the recorded one (a retried "paid" after a refund) changes nothing.
   */
  private async applyRepost(
    m: EntityManager,
    actor: Actor,
    row: OrderView,
    o: NormOrder,
    events: NewMemberEvent[],
  ): Promise<{ outcome: RecordOutcome; order: OrderView }> {
    const diffs: FieldError[] = [];
    const differs = (field: string, recorded: string) =>
      diffs.push({ field, message: `differs from the recorded order (${recorded})` });
    if (row.amountMinor !== o.amount.toString()) differs('amountMinor', row.amountMinor);
    if (row.currency !== o.currency) differs('currency', row.currency);
    if (row.placedAt.getTime() !== o.placedAt.getTime()) differs('placedAt', row.placedAt.toISOString());
    if (o.resolved && row.memberId && o.resolved !== row.memberId)
      differs(o.memberId ? 'memberId' : 'identities', `member ${row.memberId}`);
    const items = row.items ?? [];
    const sameItems =
      items.length === o.items.length &&
      items.every((r, i) => {
        const x = o.items[i];
        return (
          r.sku === x.sku &&
          r.name === x.name &&
          r.category === x.category &&
          r.quantity === x.quantity &&
          r.unitPriceMinor === x.unitPriceMinor
        );
      });
    if (!sameItems) differs('items', `${items.length} line(s)`);
    if ([...row.couponCodes].sort().join('\u0000') !== [...o.couponCodes].sort().join('\u0000'))
      differs('couponCodes', row.couponCodes.join(', ') || 'none');
    if (o.linkCode !== null && row.linkCode !== null && o.linkCode !== row.linkCode)
      differs('linkCode', row.linkCode);

    const refunded = BigInt(row.refundedMinor);
    const statusConflict = () =>
      diffs.push({ field: 'status', message: `cannot go from ${row.status} to ${o.status}` });
    let move: { cancel: true } | { refund: bigint } | null = null;
    if (row.status === o.status && refunded === o.refunded) {
      move = null;
    } else if (o.status === 'cancelled') {
      if (row.status === 'paid') move = { cancel: true };
      else statusConflict();
    } else if (row.status === 'cancelled') {
      if (o.status !== 'paid') statusConflict(); // a retried "paid" of a cancelled order: stale
    } else if (o.refunded > refunded) {
      move = { refund: o.refunded - refunded };
    } // else: fewer refunds than recorded — an older state, stale

    if (diffs.length > 0) throw new ItemError(CommerceException.orderConflict(row.id, diffs));
    if (move === null) return { outcome: 'existing', order: row };

    if ('cancel' in move) {
      const [[updated]]: [Array<Record<string, unknown>>, number] = await m.query(
        `UPDATE orders o SET status = 'cancelled', updated_at = now() WHERE o.id = $1 AND o.status = 'paid' RETURNING ${ORDER_COLUMNS}`,
        [row.id],
      );
      if (row.memberId)
        events.push({
          brandId: actor.brandId,
          memberId: row.memberId,
          type: ORDER_EVENT_TYPES.cancelled,
          data: { orderId: row.id, source: row.source, externalId: row.externalId },
          actor,
        });
      return { outcome: 'updated', order: { ...toOrderView(updated), items: row.items } };
    }
    const [[updated]]: [Array<Record<string, unknown>>, number] = await m.query(
      `UPDATE orders o
          SET refunded_minor = o.refunded_minor + $2::bigint,
              status = CASE WHEN o.refunded_minor + $2::bigint = o.amount_minor THEN 'refunded' ELSE 'partially_refunded' END,
              updated_at = now()
        WHERE o.id = $1 AND o.status IN ('paid', 'partially_refunded') AND o.refunded_minor + $2::bigint <= o.amount_minor
        RETURNING ${ORDER_COLUMNS}`,
      [row.id, move.refund.toString()],
    );
    if (!updated)
      throw new ItemError(
        CommerceException.refundExceeds(row.id, (BigInt(row.amountMinor) - refunded).toString()),
      );
    const [refund]: Array<{ id: string }> = await m.query(
      `INSERT INTO order_refunds (brand_id, order_id, external_id, amount_minor, reason, refunded_at)
       VALUES ($1, $2, $3, $4, $5, now()) RETURNING id`,
      [
        actor.brandId,
        row.id,
        `${SYSTEM_REFUND_PREFIX}status-${o.status}-${o.refunded}`,
        move.refund.toString(),
        `status ${o.status}`,
      ],
    );
    if (row.memberId)
      events.push({
        brandId: actor.brandId,
        memberId: row.memberId,
        type: ORDER_EVENT_TYPES.refunded,
        data: {
          orderId: row.id,
          refundId: refund.id,
          amountMinor: move.refund.toString(),
          currency: row.currency,
          status: updated.status,
        },
        actor,
      });
    return { outcome: 'updated', order: { ...toOrderView(updated), items: row.items } };
  }

  private creationEvents(actor: Actor, c: OrderView): NewMemberEvent[] {
    const base = { brandId: actor.brandId, memberId: c.memberId as string, actor };
    const data = {
      orderId: c.id,
      source: c.source,
      externalId: c.externalId,
      amountMinor: c.amountMinor,
      currency: c.currency,
    };
    if (c.status === 'cancelled')
      return [{ ...base, type: ORDER_EVENT_TYPES.cancelled, data, occurredAt: c.placedAt }];
    const out: NewMemberEvent[] = [
      { ...base, type: ORDER_EVENT_TYPES.paid, data: { ...data, status: c.status }, occurredAt: c.placedAt },
    ];
    if (c.refundedMinor !== '0')
      out.push({
        ...base,
        type: ORDER_EVENT_TYPES.refunded,
        data: { orderId: c.id, amountMinor: c.refundedMinor, currency: c.currency, status: c.status },
      });
    return out;
  }

  private async ordersByIds(
    m: EntityManager,
    brandId: string,
    ids: string[],
    full: boolean,
  ): Promise<OrderView[]> {
    if (ids.length === 0) return [];
    if (full) {
      const views = await Promise.all(ids.map((id) => this.repo.findById(brandId, id, m)));
      return views.filter((v): v is OrderView => v !== null);
    }
    const rows: Array<Record<string, unknown>> = await m.query(
      `SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.brand_id = $1 AND o.id = ANY($2::uuid[])`,
      [brandId, ids],
    );
    return rows.map(toOrderView);
  }

  // ------------------------------------------------------------------ refunds

  /**
   * A refund: its own row, idempotent on (order, externalId); the order's refunded amount moves by
   * a conditional UPDATE that cannot pass the order's amount. 422 when it would.
   */
  async refund(actor: Actor, orderId: string, dto: OrderRefundCreateDto): Promise<RefundResult> {
    const amount = parseMinorUnits(dto.amountMinor, 1n) as bigint;
    const brandId = actor.brandId;
    return inTransaction(this.ds, undefined, async (m) => {
      const [seen]: Array<{ member_id: string | null }> = await m.query(
        `SELECT member_id FROM orders WHERE brand_id = $1 AND id = $2`,
        [brandId, orderId],
      );
      if (!seen) throw new NotFoundException('order', orderId);
      await lockMembers(m, brandId, seen.member_id ? [seen.member_id] : []);
      const [current]: Array<{ member_id: string | null; status: OrderStatus; placed_at: Date }> =
        await m.query(`SELECT member_id, status, placed_at FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
      if (current.member_id !== seen.member_id)
        throw new RetryTransaction(`order ${orderId} moved to another member`);

      const [prior]: Array<{ id: string; amount_minor: string; reason: string | null }> = await m.query(
        `SELECT id, amount_minor::text AS amount_minor, reason FROM order_refunds WHERE order_id = $1 AND external_id = $2`,
        [orderId, dto.externalId],
      );
      if (prior) {
        if (prior.amount_minor !== amount.toString())
          throw CommerceException.refundConflict(prior.id, 'amountMinor');
        const order = (await this.repo.findById(brandId, orderId, m)) as OrderView;
        return {
          refund: order.refunds?.find((r) => r.id === prior.id) as OrderRefundView,
          order,
          created: false,
        };
      }
      if (current.status === 'cancelled') throw CommerceException.notRefundable(orderId, current.status);
      const refundedAt = dto.refundedAt ? new Date(dto.refundedAt) : new Date();
      if (refundedAt < current.placed_at) throw CommerceException.refundBeforeOrder();

      const [rows]: [Array<{ status: OrderStatus; amount_minor: string; refunded_minor: string }>, number] =
        await m.query(
          `UPDATE orders
            SET refunded_minor = refunded_minor + $2::bigint,
                status = CASE WHEN refunded_minor + $2::bigint = amount_minor THEN 'refunded' ELSE 'partially_refunded' END,
                updated_at = now()
          WHERE id = $1 AND status IN ('paid', 'partially_refunded') AND refunded_minor + $2::bigint <= amount_minor
          RETURNING status, amount_minor::text AS amount_minor, refunded_minor::text AS refunded_minor`,
          [orderId, amount.toString()],
        );
      if (rows.length === 0) {
        const [o]: Array<{ left: string }> = await m.query(
          `SELECT (amount_minor - refunded_minor)::text AS left FROM orders WHERE id = $1`,
          [orderId],
        );
        throw CommerceException.refundExceeds(orderId, o.left);
      }
      const [refund]: Array<{ id: string }> = await m.query(
        `INSERT INTO order_refunds (brand_id, order_id, external_id, amount_minor, reason, refunded_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [brandId, orderId, dto.externalId, amount.toString(), dto.reason ?? null, refundedAt],
      );
      const [updated] = rows;
      if (current.member_id) {
        await this.aggregates.recomputeMembers(m, brandId, [current.member_id]);
        await this.events.append(m, {
          brandId,
          memberId: current.member_id,
          type: ORDER_EVENT_TYPES.refunded,
          data: {
            orderId,
            refundId: refund.id,
            amountMinor: amount.toString(),
            status: updated.status,
            ...(dto.reason ? { reason: dto.reason } : {}),
          },
          actor,
          occurredAt: refundedAt,
        });
        await this.hooks.memberOrdersChanged(m, { brandId, memberIds: [current.member_id], cause: 'refund' });
      }
      await this.hooks.ordersChanged(m, { brandId, orderIds: [orderId], cause: 'refund' });
      const order = (await this.repo.findById(brandId, orderId, m)) as OrderView;
      await this.audit.record(m, actor, {
        action: 'order.refund',
        entityType: 'order',
        entityId: orderId,
        before: {
          status: current.status,
          refundedMinor: (BigInt(updated.refunded_minor) - amount).toString(),
        },
        after: {
          status: updated.status,
          refundedMinor: updated.refunded_minor,
          refund: { id: refund.id, externalId: dto.externalId, amountMinor: amount.toString() },
        },
      });
      return {
        refund: order.refunds?.find((r) => r.id === refund.id) as OrderRefundView,
        order,
        created: true,
      };
    });
  }

  // ------------------------------------------------------------------ reading

  async get(brandId: string, id: string): Promise<OrderView> {
    const order = await this.repo.findById(brandId, id);
    if (!order) throw new NotFoundException('order', id);
    return order;
  }

  list(brandId: string, filter: OrderFilter): Promise<Page<OrderView>> {
    return this.repo.list(brandId, filter);
  }

  summary(brandId: string, from?: Date, to?: Date): Promise<OrderSummary> {
    return this.repo.summary(brandId, from, to);
  }
}

function withPrefix(e: DomainException, at: (field: string) => string): DomainException {
  return new DomainException(
    e.code,
    e.status,
    e.message,
    e.errors?.map((x) => ({ field: at(x.field), message: x.message })),
  );
}

/** What the audit log keeps of an order: ids and money, never the customer's identities. */
function auditSnapshot(o: OrderView): Record<string, unknown> {
  return {
    source: o.source,
    externalId: o.externalId,
    memberId: o.memberId,
    status: o.status,
    amountMinor: o.amountMinor,
    refundedMinor: o.refundedMinor,
    currency: o.currency,
    placedAt: o.placedAt,
  };
}
