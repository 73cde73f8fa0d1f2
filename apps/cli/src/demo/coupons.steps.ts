import { DemoContext, DemoStep } from './demo-context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CampaignSummary {
  id: string;
  name: string;
  channel: string;
  audience: { kind: string; segmentId?: string };
}

interface Report {
  issued: number;
  redeemed: number;
  rollbacks: number;
  redemptionRate: number | null;
  discountGivenMinor: string;
  gmvMinor: string;
  orders: number;
}

const yuan = (minor: string | number) => `¥${(Number(minor) / 100).toFixed(2)}`;

async function waitCampaign(ctx: DemoContext, id: string): Promise<{ counts: Record<string, number> }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const p = await ctx.api<{ status: string; remaining: number; counts: Record<string, number> }>(
      'GET',
      `/v1/campaigns/${id}/progress`,
    );
    if (['completed', 'cancelled', 'failed'].includes(p.status) && p.remaining === 0) return p;
    if (Date.now() > deadline) throw new Error(`campaign ${id} did not finish in 60 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function printReport(ctx: DemoContext, r: Report): void {
  ctx.print(
    `  report: issued ${r.issued}, redeemed ${r.redeemed} (rate ${r.redemptionRate ?? '–'}), rolled back ${r.rollbacks}, ` +
      `discount given ${yuan(r.discountGivenMinor)}, GMV of ${r.orders} orders ${yuan(r.gmvMinor)}`,
  );
}

/** Coupons: a welcome coupon issued through a 1:1 campaign, used at checkout, refunded, reported. */
export const COUPONS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Coupons: a welcome coupon through a campaign, redeemed by orders, a refund rolled back',
    async run(ctx) {
      const tpl = await ctx.api<{ id: string; name: string }>('POST', '/v1/coupon-templates', {
        name: '新人欢迎券 ¥20',
        kind: 'fixed_amount',
        amountOffMinor: 2000,
        minSpendMinor: 9900,
        validDays: 30,
        perMemberLimit: 1,
        budgetCount: 10_000,
        budgetMoneyMinor: 5_000_000,
        codePrefix: 'TEA',
        codeLength: 8,
      });
      await ctx.api('POST', `/v1/coupon-templates/${tpl.id}/activate`);
      ctx.print(
        `template "${tpl.name}": ¥20 off orders from ¥99, 30 days from issue, one per member, budget 10,000 / ¥50,000`,
      );
      const refused = await fetch(`${ctx.baseUrl}/v1/coupon-templates/${tpl.id}/codes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ count: 1_000_000 }),
      });
      ctx.print(
        `asking for 1,000,000 more codes of length 8: ${refused.status} ${((await refused.json()) as { code: string }).code}`,
      );

      // The 1:1 audience of the campaigns step (WeCom contacts in a group): each gets its own code.
      const campaigns = await ctx.api<Page<CampaignSummary>>('GET', '/v1/campaigns?limit=50');
      const previous = campaigns.items.find(
        (c) => c.channel === 'wecom_single' && c.audience.kind === 'segment',
      );
      if (!previous?.audience.segmentId) {
        ctx.print('no 1:1 segment campaign to reuse; skipping the coupon campaign');
        return;
      }
      const campaign = await ctx.api<{ id: string; name: string }>('POST', '/v1/campaigns', {
        name: '新人欢迎券',
        channel: 'wecom_single',
        audience: { kind: 'segment', segmentId: previous.audience.segmentId },
        message: { text: `欢迎加入！送你一张 ¥20 新人券，券码 {{coupon:${tpl.id}}}，30 天内下单满 ¥99 可用` },
        quietHoursExempt: true,
      });
      await ctx.api('POST', `/v1/campaigns/${campaign.id}/schedule`, {});
      const done = await waitCampaign(ctx, campaign.id);
      ctx.print(
        `campaign "${campaign.name}": ${done.counts.sent} sent, each with its own code issued in the send's transaction`,
      );

      const coupons = await ctx.api<Page<{ code: string; memberId: string }>>(
        'GET',
        `/v1/coupons?templateId=${tpl.id}&limit=5`,
      );
      if (coupons.items.length === 0) return;
      const [a, b] = coupons.items;
      const check = await ctx.api<{ valid: boolean; reason: string | null; discountMinor: string }>(
        'POST',
        '/v1/coupons/validate',
        { code: a.code, memberId: a.memberId, cartAmountMinor: 5000 },
      );
      ctx.print(`validate ${a.code} on a ¥50 cart: valid=${check.valid}, reason ${check.reason}`);
      const ok = await ctx.api<{ valid: boolean; discountMinor: string }>('POST', '/v1/coupons/validate', {
        code: a.code,
        memberId: a.memberId,
        cartAmountMinor: 12800,
      });
      ctx.print(`validate ${a.code} on a ¥128 cart: valid=${ok.valid}, discount ${yuan(ok.discountMinor)}`);
      const order = (code: string, memberId: string) =>
        ctx.api<{ id: string }>('POST', '/v1/orders', {
          source: 'store',
          externalId: `DEMO-CPN-${code}`,
          memberId,
          amountMinor: 10800,
          currency: 'CNY',
          status: 'paid',
          placedAt: new Date().toISOString(),
          items: [{ sku: 'TEA-1', name: 'Longjing 250g', quantity: 1, unitPriceMinor: 12800 }],
          couponCodes: [code],
        });
      const first = await order(a.code, a.memberId);
      ctx.print(`order ${first.id.slice(0, 8)}… with ${a.code}: redeemed in the order's transaction`);
      if (b) {
        const second = await order(b.code, b.memberId);
        await ctx.api('POST', `/v1/orders/${second.id}/refunds`, {
          externalId: 'demo-refund',
          amountMinor: 10800,
        });
        ctx.print(
          `order ${second.id.slice(0, 8)}… with ${b.code}, then fully refunded: a rollback row gives the coupon back`,
        );
      }
      const again = await ctx.api<{ valid: boolean; reason: string | null }>('POST', '/v1/coupons/validate', {
        code: a.code,
        memberId: a.memberId,
        cartAmountMinor: 12800,
      });
      ctx.print(`validate ${a.code} again: valid=${again.valid}, reason ${again.reason}`);
      printReport(ctx, await ctx.api<Report>('GET', `/v1/coupon-templates/${tpl.id}/report`));
    },
  },
];
