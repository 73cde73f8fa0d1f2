import { DateTime } from 'luxon';
import { DemoContext, DemoStep } from './demo-context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Partner {
  id: string;
  name: string;
  status: string;
  tier: string | null;
  payoutHint: string | null;
  memberId: string | null;
  dedicatedTemplateId: string | null;
}

interface Commission {
  orderId: string;
  partnerId: string;
  attributedBy: string;
  baseRateBp: number;
  baseMinor: string;
  upliftMinor: string;
  upliftState: string;
  amountMinor: string;
  status: string;
  reason: string | null;
}

interface Settlement {
  id: string;
  partnerId: string;
  status: string;
  periodFrom: string;
  periodTo: string;
  commissionsMinor: string;
  adjustmentsMinor: string;
  totalMinor: string;
  minPayoutMinor: string;
  lines?: Array<{ kind: string; orderExternalId: string; commissionableMinor: string; amountMinor: string }>;
}

/** The demo's partners are found again by this name prefix (later steps, e.g. reconciliation, use it too). */
export const DEMO_PARTNER_PREFIX = 'Demo partner';

const yuan = (minor: string | number) => `¥${(Number(minor) / 100).toFixed(2)}`;

/** The demo partners of the brand, by tier. */
export async function demoPartners(ctx: DemoContext): Promise<Partner[]> {
  const page = await ctx.api<Page<Partner>>('GET', '/v1/partners?limit=100');
  return page.items.filter((p) => p.name.startsWith(DEMO_PARTNER_PREFIX));
}

export const PARTNERS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Partners: a Pilot, a Standard and a Preferred partner, with links, codes and an uplift',
    async run(ctx) {
      const links = await ctx.api<{ allowedDomains: string[] }>('GET', '/v1/conversion-settings');
      if (!links.allowedDomains.includes('shop.example.com'))
        await ctx.api('PUT', '/v1/conversion-settings', {
          allowedDomains: [...links.allowedDomains, 'shop.example.com'],
        });
      const tiers = await ctx.api<{
        items: Array<{ tier: string; baseRateBp: number; holdingDays: number }>;
      }>('GET', '/v1/partner-tiers');
      ctx.print(
        `tiers: ${tiers.items.map((t) => `${t.tier} ${t.baseRateBp / 100} % (hold ${t.holdingDays} d)`).join(', ')}`,
      );
      const template = await ctx.api<{ id: string }>('POST', '/v1/coupon-templates', {
        name: '达人专属 ¥10 off',
        kind: 'fixed_amount',
        amountOffMinor: 1000,
      });
      await ctx.api('POST', `/v1/coupon-templates/${template.id}/activate`);

      const self = await ctx.api<{ id: string }>('POST', '/v1/members', {
        identities: { phone: '+86 137 0000 0888', unionid: `demo-partner-self-${ctx.brandId.slice(0, 8)}` },
        nickname: '阿青 (also a partner)',
      });
      const specs = [
        { tier: 'pilot', name: `${DEMO_PARTNER_PREFIX} 小鹿 (KOC)`, kind: 'koc', code: 'XIAOLU' },
        {
          tier: 'standard',
          name: `${DEMO_PARTNER_PREFIX} 阿青 (creator)`,
          kind: 'creator',
          code: 'AQING',
          memberId: self.id,
        },
        {
          tier: 'preferred',
          name: `${DEMO_PARTNER_PREFIX} 茶话 (publisher)`,
          kind: 'publisher',
          code: 'CHAHUA',
        },
      ];
      for (const s of specs) {
        const p = await ctx.api<Partner>('POST', '/v1/partners', {
          name: s.name,
          kind: s.kind,
          activate: true,
          memberId: s.memberId,
          socialHandles: { xiaohongshu: s.code.toLowerCase(), douyin: `@${s.code.toLowerCase()}` },
          payout: { method: 'alipay', account: `demo-${s.code.toLowerCase()}-55668899`, holder: s.name },
        });
        if (s.tier !== 'pilot') await ctx.api('POST', `/v1/partners/${p.id}/status`, { status: s.tier });
        let templateId = template.id;
        if (s.tier === 'preferred') {
          const withTemplate = await ctx.api<Partner>('POST', `/v1/partners/${p.id}/dedicated-template`, {
            kind: 'fixed_amount',
            amountOffMinor: 2000,
            budgetCount: 500,
          });
          templateId = withTemplate.dedicatedTemplateId as string;
        }
        const code = await ctx.api<{ code: string }>('POST', `/v1/partners/${p.id}/codes`, {
          templateId,
          code: `${s.code}-${ctx.brandId.slice(0, 4).toUpperCase()}`,
          maxRedemptions: 1000,
        });
        const link = await ctx.api<{ shortUrl: string }>('POST', `/v1/partners/${p.id}/links`, {
          destination: 'https://shop.example.com/tea/longjing',
        });
        ctx.print(
          `  ${s.tier.padEnd(9)} ${p.name}: payout ${p.payoutHint}, code ${code.code}${s.tier === 'preferred' ? ' (dedicated template, budget 500)' : ''}, link ${link.shortUrl}`,
        );
      }
      const zone = (await ctx.api<{ brand: { timeZone: string } }>('GET', '/v1/me')).brand.timeZone;
      const startOfMonth = DateTime.now().setZone(zone).startOf('month');
      const preferred = (await demoPartners(ctx)).find((p) => p.tier === 'preferred') as Partner;
      await ctx.api('POST', '/v1/partner-uplifts', {
        name: 'Preferred launch uplift 9 % → 25 %',
        partnerId: preferred.id,
        rateBp: 1600,
        startsAt: startOfMonth.minus({ months: 1 }).toISO(),
        endsAt: startOfMonth.plus({ days: 14 }).toISO(),
        minOrders: 3,
        minGmvMinor: 100000,
        minNewBuyerShareBp: 5000,
      });
      ctx.print(
        'uplift +16 % for the Preferred partner, gated on ≥ 3 orders, ≥ ¥1,000 GMV and ≥ 50 % new buyers',
      );
    },
  },
  {
    title: 'Partners: orders attributed by code and by click become commissions',
    async run(ctx) {
      const partners = await demoPartners(ctx);
      const zone = (await ctx.api<{ brand: { timeZone: string } }>('GET', '/v1/me')).brand.timeZone;
      // Mid last month: in last month's settlement and past every tier's holding period.
      const placed = DateTime.now().setZone(zone).startOf('month').minus({ days: 15 });
      const seed = ctx.brandId.slice(0, 8);
      let n = 0;
      const buy = async (p: Partner, amountMinor: number, how: 'code' | 'click', memberId?: string) => {
        n++;
        const [code] = (
          await ctx.api<{ items: Array<{ code: string }> }>('GET', `/v1/partners/${p.id}/codes`)
        ).items;
        const [link] = (
          await ctx.api<{ items: Array<{ code: string }> }>('GET', `/v1/partners/${p.id}/links`)
        ).items;
        await ctx.api('POST', '/v1/orders', {
          source: 'store',
          externalId: `PO-${seed}-${n}`,
          ...(memberId ? { memberId } : { identities: { unionid: `demo-partner-buyer-${seed}-${n}` } }),
          amountMinor,
          currency: 'CNY',
          status: 'paid',
          placedAt: placed.plus({ hours: n }).toISO(),
          items: [
            {
              sku: 'TEA-LJ-250',
              name: 'Longjing 250g',
              category: 'green-tea',
              quantity: 1,
              unitPriceMinor: amountMinor,
            },
          ],
          ...(how === 'code' ? { couponCodes: [code.code] } : { linkCode: link.code }),
        });
      };
      const byTier = (t: string) => partners.find((p) => p.tier === t) as Partner;
      await buy(byTier('pilot'), 36800, 'code');
      await buy(byTier('pilot'), 42800, 'click');
      await buy(byTier('standard'), 58800, 'code');
      await buy(byTier('standard'), 68800, 'click');
      await buy(byTier('standard'), 49800, 'code');
      // The Standard partner buys with their own code: the fraud checks' self-purchase case.
      await buy(byTier('standard'), 88800, 'code', byTier('standard').memberId as string);
      await buy(byTier('preferred'), 128000, 'code');
      await buy(byTier('preferred'), 96000, 'click');
      await ctx.api('POST', '/v1/partner-commissions/approvals');
      const commissions = await ctx.api<Page<Commission>>('GET', '/v1/partner-commissions?limit=100');
      const names = new Map(partners.map((p) => [p.id, `${p.tier}`]));
      for (const c of commissions.items.filter((x) => names.has(x.partnerId)).reverse())
        ctx.print(
          `  ${String(names.get(c.partnerId)).padEnd(9)} by ${c.attributedBy.padEnd(9)} ${(c.baseRateBp / 100).toFixed(0)} % → ${yuan(c.baseMinor).padStart(8)}` +
            `${c.upliftState !== 'none' ? ` + uplift ${yuan(c.upliftMinor)} (${c.upliftState})` : ''}  ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
        );
      // The orders above are back-dated into last month (for its settlement), before the partners'
      // activation today: they earn commissions but are not a first sale. One order each now is.
      for (const t of ['pilot', 'standard', 'preferred']) {
        n++;
        const p = byTier(t);
        const [code] = (
          await ctx.api<{ items: Array<{ code: string }> }>('GET', `/v1/partners/${p.id}/codes`)
        ).items;
        await ctx.api('POST', '/v1/orders', {
          source: 'store',
          externalId: `PO-${seed}-${n}`,
          identities: { unionid: `demo-partner-buyer-${seed}-${n}` },
          amountMinor: 26800,
          currency: 'CNY',
          status: 'paid',
          placedAt: DateTime.now().setZone(zone).toISO(),
          items: [
            {
              sku: 'TEA-LJ-250',
              name: 'Longjing 250g',
              category: 'green-tea',
              quantity: 1,
              unitPriceMinor: 26800,
            },
          ],
          couponCodes: [code.code],
        });
      }
      const refreshed = await ctx.api<Page<Partner & { activatedAt: string; firstSaleAt: string | null }>>(
        'GET',
        '/v1/partners?limit=100',
      );
      for (const p of refreshed.items.filter((x) => names.has(x.id)))
        ctx.print(
          `  ${p.name}: activated ${p.activatedAt.slice(0, 16)}, first sale ${p.firstSaleAt?.slice(0, 16) ?? '—'}`,
        );
    },
  },
  {
    title: "Partners: last month's settlements, as JSON and CSV",
    async run(ctx) {
      const zone = (await ctx.api<{ brand: { timeZone: string } }>('GET', '/v1/me')).brand.timeZone;
      const day = (iso: string) => DateTime.fromISO(iso).setZone(zone).toISODate();
      for (const p of await demoPartners(ctx)) {
        const s = await ctx.api<Settlement>('POST', '/v1/partner-settlements', { partnerId: p.id });
        ctx.print(
          `${p.name} (${p.tier}): ${s.status}, ${day(s.periodFrom)} → ${day(s.periodTo)} (exclusive), commissions ${yuan(s.commissionsMinor)}, ` +
            `adjustments ${yuan(s.adjustmentsMinor)}, total ${yuan(s.totalMinor)} (minimum payout ${yuan(s.minPayoutMinor)})`,
        );
        for (const l of s.lines ?? [])
          ctx.print(
            `    ${l.kind.padEnd(10)} order ${l.orderExternalId.padEnd(16)} on ${yuan(l.commissionableMinor).padStart(9)} → ${yuan(l.amountMinor)}`,
          );
        if (s.status !== 'draft') continue;
        await ctx.api('POST', `/v1/partner-settlements/${s.id}/confirm`);
        if (p.tier === 'standard') {
          const res = await fetch(`${ctx.baseUrl}/v1/partner-settlements/${s.id}/statement.csv`, {
            headers: { authorization: `Bearer ${ctx.accessToken}` },
          });
          ctx.print('    statement.csv:');
          for (const line of (await res.text()).trim().split('\n')) ctx.print(`      ${line}`);
        }
        if (p.tier === 'preferred') {
          const paid = await ctx.api<Settlement>('POST', `/v1/partner-settlements/${s.id}/payout`, {
            reference: `ALIPAY-${ctx.brandId.slice(0, 6)}`,
          });
          ctx.print(`    confirmed (immutable) and ${paid.status}: its commissions are marked paid`);
        } else ctx.print('    confirmed (immutable), awaiting payout');
      }
    },
  },
];
