import { DemoContext, DemoStep } from './demo-context';

interface RateFigure {
  key: string;
  label: string;
  buyers: number;
  repeatBuyers: number;
  rate: number;
}
interface Distribution {
  members: number;
  medianDays: number | null;
  p75Days: number | null;
  buckets: Array<{ days: string; members: number }>;
}
interface Repurchase {
  header: { from: string; to: string; timeZone: string };
  overall: RateFigure;
  byTier: RateFigure[];
  bySourceChannel: RateFigure[];
  firstToSecondOrder: Distribution;
  daysSinceLastOrder: Distribution;
}
interface Cohorts {
  cohorts: Array<{ month: string; size: number; retention: Array<{ monthOffset: number; share: number }> }>;
}

interface Funnel {
  campaigns: Array<{
    campaign: string;
    variant: number | null;
    variantName: string | null;
    audience: number;
    delivered: number;
    clickers: number;
    orders: number;
    revenueMinor: string;
    couponCostMinor: string;
    roi: number | null;
  }>;
}

const yuan = (minor: string) => `¥${(Number(BigInt(minor)) / 100).toLocaleString('en-US')}`;

const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

function printRates(ctx: DemoContext, title: string, rows: RateFigure[]) {
  ctx.print(title);
  for (const r of rows)
    ctx.print(
      `  ${r.label.padEnd(14)} ${String(r.buyers).padStart(6)} buyers  ${String(r.repeatBuyers).padStart(5)} repeat  ${pct(r.rate).padStart(7)}`,
    );
}

function printDistribution(ctx: DemoContext, title: string, d: Distribution) {
  ctx.print(
    `${title}: ${d.members} members, median ${d.medianDays ?? '–'} days, p75 ${d.p75Days ?? '–'} days`,
  );
  ctx.print(`  ${d.buckets.map((b) => `${b.days}: ${b.members}`).join('  ')}`);
}

/** The repurchase and cohort reports over the demo's year of orders (brand time zone). */
export const ANALYTICS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Analytics: repurchase, cohorts and the campaign funnel over the last twelve months',
    async run(ctx) {
      const r = await ctx.api<Repurchase>('GET', '/v1/analytics/repurchase');
      ctx.print(
        `${r.header.from} … ${r.header.to} (${r.header.timeZone}); definitions in README "Analytics"`,
      );
      printRates(ctx, 'repurchase rate (≥ 2 paid orders in the range ÷ ≥ 1):', [r.overall]);
      printRates(ctx, 'by tier (current):', r.byTier);
      printRates(ctx, 'by source channel:', r.bySourceChannel);
      printDistribution(ctx, 'first → second order', r.firstToSecondOrder);
      printDistribution(ctx, 'days since last order', r.daysSinceLastOrder);

      const c = await ctx.api<Cohorts>('GET', '/v1/analytics/cohorts');
      const width = Math.max(0, ...c.cohorts.map((x) => x.retention.length));
      ctx.print('cohorts by first-order month: size, then the share ordering again in month +1, +2, …');
      ctx.print(
        `  month    size ${Array.from({ length: width - 1 }, (_, i) => `+${i + 1}`.padStart(6)).join('')}`,
      );
      for (const x of c.cohorts)
        ctx.print(
          `  ${x.month} ${String(x.size).padStart(5)} ${x.retention
            .slice(1)
            .map((cell) => `${(cell.share * 100).toFixed(1)}`.padStart(6))
            .join('')}`,
        );

      const f = await ctx.api<Funnel>('GET', '/v1/analytics/campaigns');
      ctx.print('campaign funnel (campaigns started in the last twelve months), per variant:');
      for (const r of f.campaigns)
        ctx.print(
          `  ${`${r.campaign} [${r.variantName ?? r.variant ?? '–'}]`.padEnd(34)} audience ${r.audience} → delivered ${r.delivered} → clicked ${r.clickers} → ordered ${r.orders}; revenue ${yuan(r.revenueMinor)}, coupons ${yuan(r.couponCostMinor)}, ROI ${r.roi ?? '–'}`,
        );
      ctx.print('CSV: /v1/analytics/{repurchase,cohorts,campaigns}/export');
    },
  },
];
