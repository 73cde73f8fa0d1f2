import { createHmac } from 'node:crypto';
import { DemoContext, DemoStep } from './demo-context';

interface Source {
  id: string;
  slug: string;
  secret?: string;
  webhookPath: string | null;
}

interface ImportState {
  id: string;
  status: string;
  totalRows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

const yuan = (minor: string | number) => `¥${(Number(minor) / 100).toFixed(2)}`;

async function post(ctx: DemoContext, path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${ctx.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A Shopify orders/paid payload as text, so its 19-digit ids are never a JS number. */
const shopifyOrder = (orderId: string, customerId: string) => `{
  "id": ${orderId}, "name": "#1001", "currency": "CNY", "financial_status": "paid",
  "created_at": "2026-11-20T10:15:00+08:00", "processed_at": "2026-11-20T10:15:00+08:00",
  "total_price": "236.00", "subtotal_price": "256.00", "total_discounts": "20.00",
  "discount_codes": [{"code": "WELCOME-20", "amount": "20.00", "type": "fixed_amount"}],
  "landing_site": "/products/longjing?siyu_link=demoLink1",
  "customer": {"id": ${customerId}, "email": "lin@example.com", "phone": null},
  "line_items": [{"id": 866550311766439020, "variant_id": 808950810, "sku": "TEA-LJ-250", "title": "明前龙井 250g", "quantity": 2, "price": "128.00"}]
}`;

const shopifyRefund = (refundId: string, orderId: string) => `{
  "id": ${refundId}, "order_id": ${orderId}, "created_at": "2026-11-21T09:00:00+08:00", "note": "one tin damaged",
  "transactions": [{"id": 179259969000000002, "kind": "refund", "status": "success", "amount": "118.00", "currency": "CNY"}]
}`;

/** Orders in: a signed generic webhook, a Shopify store (discount code, refund), an affiliate report. */
export const ORDERS_INGEST_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Orders in: signed webhooks (generic and Shopify) and an affiliate order report',
    async run(ctx) {
      const tag = Date.now().toString(36);
      // 1. A generic source: its secret is shown once; the store signs "<timestamp>.<body>".
      const generic = await ctx.api<Source>('POST', '/v1/order-sources', {
        kind: 'generic',
        name: 'Mini-program store',
        slug: `miniapp-${tag}`,
      });
      ctx.print(
        `generic source ${generic.slug}: deliveries to ${generic.webhookPath}, secret ${generic.secret?.slice(0, 10)}… (shown once)`,
      );
      const body = JSON.stringify({
        orders: [
          {
            externalId: `MP-${tag}-1`,
            identities: { phone: '13900000007' },
            amountMinor: '25600',
            currency: 'CNY',
            status: 'paid',
            placedAt: new Date(Date.now() - 3_600_000).toISOString(),
            items: [{ sku: 'TEA-LJ-250', name: '明前龙井 250g', quantity: 2, unitPriceMinor: '12800' }],
          },
        ],
      });
      const ts = String(Math.floor(Date.now() / 1000));
      const headers = {
        'x-siyu-timestamp': ts,
        'x-siyu-signature': `sha256=${createHmac('sha256', generic.secret as string)
          .update(`${ts}.${body}`)
          .digest('hex')}`,
        'x-siyu-delivery': `demo-${tag}`,
      };
      const first = await post(ctx, generic.webhookPath as string, body, headers);
      const order = (first.body.orders as Array<{ outcome: string; memberId: string | null }>)[0];
      ctx.print(
        `signed webhook → ${first.status}: order ${order.outcome}, matched to member ${order.memberId ?? '(none yet)'}`,
      );
      const replay = await post(ctx, generic.webhookPath as string, body, headers);
      ctx.print(
        `the same delivery again → ${replay.status}, replayed: ${String(replay.body.replayed)} (nothing recorded twice)`,
      );
      const forged = await post(ctx, generic.webhookPath as string, body, {
        ...headers,
        'x-siyu-signature': 'sha256=' + '0'.repeat(64),
      });
      ctx.print(`a forged signature → ${forged.status} ${String(forged.body.code)}`);

      // 2. Shopify: orders/paid with a discount code, then refunds/create. Ids above 2^53 stay exact.
      const shop = await ctx.api<Source>('POST', '/v1/order-sources', {
        kind: 'shopify',
        name: 'Shopify store',
        slug: `shopify-${tag}`,
      });
      const orderId = `${8209829119461545n * 1000n + BigInt(Date.now() % 1000)}`;
      const customerId = '9007199254740993123';
      const sign = (text: string) =>
        createHmac('sha256', shop.secret as string)
          .update(text)
          .digest('base64');
      const paidText = shopifyOrder(orderId, customerId);
      const paid = await post(ctx, shop.webhookPath as string, paidText, {
        'x-shopify-topic': 'orders/paid',
        'x-shopify-webhook-id': `wh-${tag}-1`,
        'x-shopify-hmac-sha256': sign(paidText),
      });
      const paidOrder = paid.body.order as { id: string; externalId: string; memberId: string | null };
      const view = await ctx.api<{ couponCodes: string[]; linkCode: string | null; amountMinor: string }>(
        'GET',
        `/v1/orders/${paidOrder.id}`,
      );
      ctx.print(
        `Shopify orders/paid → ${paid.status}: order ${paidOrder.externalId} (exact, > 2^53) ${yuan(view.amountMinor)}, ` +
          `coupon codes ${view.couponCodes.join(', ')}, link ${view.linkCode}, member ${paidOrder.memberId ?? 'unmatched (kept for later)'}`,
      );
      const refundText = shopifyRefund('929361462000000001', orderId);
      const refund = await post(ctx, shop.webhookPath as string, refundText, {
        'x-shopify-topic': 'refunds/create',
        'x-shopify-webhook-id': `wh-${tag}-2`,
        'x-shopify-hmac-sha256': sign(refundText),
      });
      const refunded = refund.body.order as { status: string; refundedMinor: string };
      ctx.print(
        `Shopify refunds/create → ${refund.status}: order now ${refunded.status}, ${yuan(refunded.refundedMinor)} refunded`,
      );

      // 3. An affiliate programme's report (AliExpress Portals-style), uploaded as CSV and applied by the worker.
      const aff = await ctx.api<Source>('POST', '/v1/order-sources', {
        kind: 'affiliate',
        name: 'AliExpress Portals',
        slug: `aliexpress-${tag}`,
      });
      const csv = [
        'Order ID,Sub Order ID,Order Status,Paid Time,Paid Amount,Commission Rate,Estimated Commission,Final Commission,Tracking ID,Custom Parameters',
        `3045${tag},3045${tag}01,Payment Completed,2026-11-19 20:00:00,59.90,7%,4.19,,siyu_default,siyu_link=demoLink1`,
        `3045${tag},3045${tag}02,Payment Completed,2026-11-19 20:00:00,19.90,7%,1.39,,siyu_default,siyu_link=demoLink1`,
        `3045${tag},3045${tag}02,FullRefund,2026-11-19 20:00:00,19.90,7%,1.39,0,siyu_default,siyu_link=demoLink1`,
        `3046${tag},3046${tag}01,Shipped,2026-11-19 21:00:00,9.90,7%,0.69,,siyu_default,`,
      ].join('\n');
      const form = new FormData();
      form.append('file', new Blob([`${csv}\n`], { type: 'text/csv' }), 'portals-report.csv');
      const res = await fetch(`${ctx.baseUrl}/v1/order-sources/${aff.id}/affiliate-imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.accessToken}` },
        body: form,
      });
      if (res.status !== 202)
        throw new Error(`affiliate import upload -> ${res.status}: ${await res.text()}`);
      const queued = (await res.json()) as ImportState;
      let done = queued;
      const deadline = Date.now() + 60_000;
      while (done.status !== 'completed' && done.status !== 'failed') {
        if (Date.now() > deadline)
          throw new Error(`affiliate import ${queued.id} did not finish in 60 s (is the worker running?)`);
        await new Promise((r) => setTimeout(r, 250));
        done = await ctx.api<ImportState>(
          'GET',
          `/v1/order-sources/${aff.id}/affiliate-imports/${queued.id}`,
        );
      }
      ctx.print(
        `affiliate report (${done.totalRows} rows) ${done.status}: ${done.created} created, ${done.updated} updated (a refund), ` +
          `${done.unchanged} unchanged, ${done.failed} rejected`,
      );
      const errors = await ctx.api<{ items: Array<{ line: number; field: string; reason: string }> }>(
        'GET',
        `/v1/order-sources/${aff.id}/affiliate-imports/${queued.id}/errors`,
      );
      for (const e of errors.items) ctx.print(`  line ${e.line}, ${e.field}: ${e.reason}`);
      const line = await ctx.api<{
        status: string;
        estimated_commission_minor: string;
        final_commission_minor: string | null;
        status_history: unknown[];
      }>('GET', `/v1/order-sources/${aff.id}/affiliate-orders/3045${tag}02`);
      ctx.print(
        `sub-order 3045${tag}02: ${line.status}, commission est. ${yuan(line.estimated_commission_minor)} / final ${yuan(line.final_commission_minor ?? 0)}, ` +
          `${line.status_history.length} statuses in its history`,
      );
    },
  },
];
