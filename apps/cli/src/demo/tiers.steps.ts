import { DemoContext, DemoStep } from './demo-context';

interface PreviewTier {
  name: string;
  threshold: string;
  members: number;
  qualifying: number;
}

interface Ladder {
  timeZone: string;
  nextEvaluationAt: string | null;
  unassigned: number;
  tiers: Array<{ name: string; threshold: string; members: number }>;
  lastEvaluation: { assigned: number; upgraded: number; remapped: number } | null;
}

/** Member / Silver / Gold / Black on paid spend (net of refunds) over the last 365 days. */
const DEMO_LADDER = {
  basis: 'paid_spend',
  windowDays: 365,
  graceDays: 30,
  reevaluation: 'monthly',
  reevaluationTime: '03:00',
  tiers: [
    { name: 'Member', threshold: 0, perks: { welcomeMessage: '欢迎加入会员' } },
    { name: 'Silver', threshold: 50_000, perks: { welcomeMessage: '恭喜升级银卡' } },
    { name: 'Gold', threshold: 200_000, perks: { welcomeMessage: '恭喜升级金卡' } },
    { name: 'Black', threshold: 800_000, perks: { welcomeMessage: '恭喜升级黑卡' } },
  ],
};

/** `2026-12-01 03:00` in the brand's time zone. */
const localTime = (iso: string | null, timeZone: string) =>
  iso
    ? new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(
        new Date(iso),
      )
    : 'not scheduled';

const yuan = (minor: string) => `¥${(Number(minor) / 100).toLocaleString('en-US')}`;

function printDistribution(
  ctx: DemoContext,
  rows: Array<{ name: string; threshold: string; members: number }>,
) {
  const total = rows.reduce((n, r) => n + r.members, 0) || 1;
  for (const r of rows)
    ctx.print(
      `  ${r.name.padEnd(8)} from ${yuan(r.threshold).padStart(9)}  ${String(r.members).padStart(6)}  ${((100 * r.members) / total).toFixed(1).padStart(5)} %`,
    );
}

export const TIERS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Tiers: a Member / Silver / Gold / Black ladder on spend over 365 days',
    async run(ctx) {
      const preview = await ctx.api<{ proposed: PreviewTier[]; unassigned: number }>(
        'POST',
        '/v1/tiers/preview',
        DEMO_LADDER,
      );
      ctx.print(
        `preview (no writes): ${preview.unassigned} members have no tier yet; the proposed ladder would hold`,
      );
      printDistribution(ctx, preview.proposed);

      await ctx.api('PUT', '/v1/tiers', DEMO_LADDER);
      const ladder = await ctx.api<Ladder>('GET', '/v1/tiers');
      ctx.print(
        `saved: ${ladder.lastEvaluation?.assigned ?? 0} members given a tier, ${ladder.lastEvaluation?.upgraded ?? 0} upgraded; distribution now`,
      );
      printDistribution(ctx, ladder.tiers);
      ctx.print(
        `upgrades happen on each order; downgrades only at the monthly re-evaluation, after 30 days of grace; next run ${localTime(ladder.nextEvaluationAt, ladder.timeZone)} ${ladder.timeZone}`,
      );
    },
  },
];
