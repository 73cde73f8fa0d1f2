import { DemoContext, DemoStep } from './demo-context';

interface BatchResponse {
  received: number;
  created: number;
  existing: number;
  updated: number;
  failed: number;
  results: Array<{ index: number; outcome: string; id?: string; memberId?: string | null; detail?: string }>;
}

interface OrderSummary {
  orders: number;
  countedOrders: number;
  unmatchedOrders: number;
  currency: string;
  grossMinor: string;
  refundedMinor: string;
  netMinor: string;
  buyers: number;
  repeatBuyers: number;
  repurchaseOrders: number;
  repurchaseRate: number;
}

/** The demo members CSV's rows (members.steps): 20,000 people, every 500th row rejected. */
const MEMBERS = 20_000;
const BATCH = 1_000;
const UNMATCHED = 40;

const CATALOGUE = [
  { sku: 'TEA-LJ-250', name: '明前龙井 250g', category: 'green-tea', price: 26_800 },
  { sku: 'TEA-BLC-100', name: '碧螺春 100g', category: 'green-tea', price: 12_800 },
  { sku: 'TEA-DHP-200', name: '大红袍 200g', category: 'oolong', price: 19_900 },
  { sku: 'TEA-TGY-250', name: '铁观音 250g', category: 'oolong', price: 9_900 },
  { sku: 'TEA-PE-357', name: '普洱饼 357g', category: 'dark-tea', price: 39_900 },
  { sku: 'CUP-GW-2', name: '盖碗 两只装', category: 'teaware', price: 5_900 },
];

/** A small deterministic generator, so every demo run tells the same story. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const money = (minor: string, currency: string) =>
  `${Number(BigInt(minor) / 100n).toLocaleString('en-US')} ${currency}`;

/**
 * A year of orders for the demo members, sent through POST /v1/orders/batch as a store backfill
 * would: most members buy once or not at all, some come back (repurchases), a few orders arrive
 * refunded, and some orders name a store customer id no member has yet.
 */
function demoOrders(
  seed: string,
  now: number,
): { orders: object[]; unmatched: Array<{ member: number; storeId: string }> } {
  const random = rng(20_250_618);
  const orders: object[] = [];
  const yearMs = 365 * 86_400_000;
  const order = (customer: object, n: number, placedAt: number) => {
    const lines = 1 + Math.floor(random() * 2);
    const items = Array.from({ length: lines }, () => {
      const p = CATALOGUE[Math.floor(random() * CATALOGUE.length)];
      return {
        sku: p.sku,
        name: p.name,
        category: p.category,
        quantity: 1 + Math.floor(random() * 2),
        unitPriceMinor: p.price,
      };
    });
    const amount = items.reduce((sum, i) => sum + i.quantity * i.unitPriceMinor, 0);
    const refunded = random() < 0.015;
    orders.push({
      source: 'store',
      externalId: `DEMO-${seed}-${n}`,
      ...customer,
      amountMinor: String(amount),
      currency: 'CNY',
      status: refunded ? 'refunded' : 'paid',
      placedAt: new Date(placedAt).toISOString(),
      items,
      ...(random() < 0.1 ? { couponCodes: ['WELCOME-10'] } : {}),
    });
  };
  let n = 0;
  for (let i = 0; i < MEMBERS; i++) {
    if (i % 500 === 499) continue; // the rows the import rejected: no such member
    const r = random();
    const count = r < 0.45 ? 0 : r < 0.75 ? 1 : r < 0.9 ? 2 : r < 0.97 ? 3 : 4 + Math.floor(random() * 3);
    for (let k = 0; k < count; k++)
      order({ identities: { externalUserId: `wm-${seed}-${i}` } }, n++, now - random() * yearMs);
  }
  // Store customers the CRM does not know yet: kept unmatched until a member with that id appears.
  const unmatched = Array.from({ length: UNMATCHED }, (_, j) => ({
    member: 100 + j * 37,
    storeId: `C-${seed}-${j}`,
  }));
  for (const u of unmatched)
    order({ identities: { storeCustomerId: u.storeId } }, n++, now - random() * yearMs);
  return { orders, unmatched };
}

export const COMMERCE_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Orders: a year of store orders, refunds, repurchases and late matches',
    async run(ctx: DemoContext) {
      const seed = ctx.brandId.slice(0, 8);
      const started = Date.now();
      const { orders, unmatched } = demoOrders(seed, started);
      let created = 0;
      let failed = 0;
      const ids: string[] = [];
      for (let i = 0; i < orders.length; i += BATCH) {
        const res = await ctx.api<BatchResponse>('POST', '/v1/orders/batch', {
          orders: orders.slice(i, i + BATCH),
        });
        created += res.created;
        failed += res.failed;
        for (const r of res.results) if (r.id && r.memberId) ids.push(r.id);
        const bad = res.results.find((r) => r.outcome === 'failed');
        if (bad) ctx.print(`  order ${i + bad.index} was refused: ${bad.detail}`);
      }
      ctx.print(
        `POST /v1/orders/batch × ${Math.ceil(orders.length / BATCH)}: ${created} orders recorded, ${failed} refused, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      const again = await ctx.api<BatchResponse>('POST', '/v1/orders/batch', {
        orders: orders.slice(0, BATCH),
      });
      ctx.print(
        `the first batch again: ${again.created} created, ${again.existing} already recorded (idempotent)`,
      );

      // A few refunds through the API: partial ones and a full one.
      for (let k = 0; k < 12; k++) {
        const id = ids[(k * 977) % ids.length];
        const order = await ctx.api<{ amountMinor: string; status: string }>('GET', `/v1/orders/${id}`);
        if (order.status !== 'paid') continue;
        const amount = k % 4 === 0 ? BigInt(order.amountMinor) : BigInt(order.amountMinor) / 3n;
        await ctx.api('POST', `/v1/orders/${id}/refunds`, {
          externalId: `RF-${seed}-${k}`,
          amountMinor: amount.toString(),
          reason: k % 4 === 0 ? 'returned unopened' : 'one box damaged in transit',
        });
      }
      ctx.print('recorded 12 refunds through POST /v1/orders/:id/refunds (a quarter of them full)');

      const before = await ctx.api<OrderSummary>('GET', '/v1/orders/summary');
      ctx.print(`${before.unmatchedOrders} orders name a store customer id no member has: kept unmatched`);
      for (const u of unmatched.slice(0, UNMATCHED / 2))
        await ctx.api('POST', '/v1/members', {
          identities: { externalUserId: `wm-${seed}-${u.member}`, storeCustomerId: u.storeId },
        });
      const s = await ctx.api<OrderSummary>('GET', '/v1/orders/summary');
      ctx.print(
        `${UNMATCHED / 2} members upserted with their store customer id: ${before.unmatchedOrders - s.unmatchedOrders} orders matched, ${s.unmatchedOrders} still waiting`,
      );
      ctx.print(
        `orders: ${s.orders} (${s.countedOrders} paid), GMV ${money(s.grossMinor, s.currency)}, refunded ${money(s.refundedMinor, s.currency)}, net ${money(s.netMinor, s.currency)}`,
      );
      ctx.print(
        `buyers: ${s.buyers}, of whom ${s.repeatBuyers} came back: repurchase rate ${(s.repurchaseRate * 100).toFixed(1)} % (${s.repurchaseOrders} repurchase orders)`,
      );
      ctx.print(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
  },
];
