import { DemoContext, DemoStep } from './demo-context';
import { DEMO_PARTNER_PREFIX } from './partners.steps';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface PartnerKpis {
  partnerId: string;
  name: string;
  tier: string | null;
  status: string;
  fraudScore: number;
  timeToFirstSaleHours: number | null;
  clicks: number;
  orders: number;
  gmvMinor: string;
  netGmvMinor: string;
  refundRateBp: number | null;
  commissionEarnedMinor: string;
  commissionPaidMinor: string;
  epcMinor: string | null;
  upliftPaidMinor: string;
  incrementalGmvMinor: string;
  incentiveRoi: string | null;
}

interface TierKpis extends Omit<
  PartnerKpis,
  'partnerId' | 'name' | 'status' | 'fraudScore' | 'timeToFirstSaleHours'
> {
  partners: number;
  withFirstSale: number;
  medianTimeToFirstSaleHours: number | null;
}

interface Flag {
  id: string;
  partnerName: string;
  kind: string;
  evidence: Record<string, unknown>;
  status: string;
  commissionStatus: string;
  held: boolean;
}

interface Run {
  id: string;
  reportRows: number;
  counts: Record<string, number>;
  reportCommissionMinor: string;
  siyuCommissionMinor: string;
  differenceMinor: string;
  unresolved: number;
}

interface Line {
  id: string;
  kind: string;
  subOrderId: string | null;
  reportStatus: string | null;
  siyuOrderStatus: string | null;
  reportCommissionMinor: string | null;
  siyuCommissionMinor: string | null;
  differenceMinor: string | null;
}

/** The partners the partners demo step creates (one per tier), by name. */
const isDemoPartner = (name: string) => name.startsWith(DEMO_PARTNER_PREFIX);

const yuan = (minor: string | null) =>
  minor === null ? '—' : `${minor.startsWith('-') ? '−' : ''}¥${(Math.abs(Number(minor)) / 100).toFixed(2)}`;
const pct = (bp: number | null) => (bp === null ? '—' : `${(bp / 100).toFixed(1)}%`);

function kpiLine(label: string, k: PartnerKpis | TierKpis, ttfs: number | null): string {
  return (
    `  ${label.padEnd(16)} ttfs ${ttfs === null ? '—' : `${ttfs} h`}, clicks ${k.clicks}, orders ${k.orders}, ` +
    `GMV ${yuan(k.gmvMinor)} (net ${yuan(k.netGmvMinor)}), EPC ${yuan(k.epcMinor)}, refunds ${pct(k.refundRateBp)}, ` +
    `commission earned ${yuan(k.commissionEarnedMinor)} / paid ${yuan(k.commissionPaidMinor)}, ` +
    `uplift paid ${yuan(k.upliftPaidMinor)} → incremental GMV ${yuan(k.incrementalGmvMinor)} (ROI ${k.incentiveRoi ?? '—'})`
  );
}

/** A report row in the affiliate programme's columns (AliExpress Portals-style). */
function reportRow(sub: string, status: string, paid: string, commission: string, at: string): string[] {
  return ['3045990000000001', sub, status, at, paid, '7%', commission];
}

/**
 * Runs after the partners step (which makes the three partners and attributes orders to them, one
 * a self-purchase): the fraud flags, a reconciliation of an affiliate commission report with one
 * line of each kind, and the KPIs. Partners are found by name, through the KPIs list.
 */
export const PARTNERS_RISK_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Partners: fraud flags, reconciliation of the affiliate report, KPIs',
    async run(ctx: DemoContext) {
      const all = await ctx.api<Page<PartnerKpis>>('GET', '/v1/partners/kpis/partners?limit=500');
      if (!all.items.some((p) => isDemoPartner(p.name)))
        ctx.print(`  (no partners named "${DEMO_PARTNER_PREFIX} …": the partners step did not run)`);

      // 1. Fraud: what the checks flagged as the partners step's orders came in, then the hourly sweep now.
      const sweep = await ctx.api<{ flagged: number }>('POST', '/v1/partner-fraud-sweeps');
      const flags = await ctx.api<Page<Flag>>('GET', '/v1/partner-fraud-flags?limit=20');
      ctx.print(
        `fraud flags (${flags.items.length}; the conversion-rate sweep just added ${sweep.flagged}):`,
      );
      for (const f of flags.items)
        ctx.print(
          `  ${f.partnerName.padEnd(14)} ${f.kind.padEnd(16)} ${JSON.stringify(f.evidence)} → commission ${f.commissionStatus}`,
        );
      const self = flags.items.find((f) => f.kind === 'self_purchase' && f.status === 'open');
      if (self) {
        const reviewed = await ctx.api<Flag>('POST', `/v1/partner-fraud-flags/${self.id}/review`, {
          decision: 'reject',
          note: 'the partner bought through their own link',
        });
        ctx.print(
          `  reviewed: self-purchase by ${reviewed.partnerName} rejected → commission ${reviewed.commissionStatus} (audited)`,
        );
      }

      // 2. Reconciliation: Siyu's ledger of an affiliate programme (its daily feed), then its monthly report.
      const tag = Date.now().toString().slice(-8);
      const source = await ctx.api<{ id: string }>('POST', '/v1/order-sources', {
        kind: 'affiliate',
        name: 'Portals (October statement)',
        slug: `portals-${tag}`,
      });
      const sub = (n: number) => `3045${tag}${String(n).padStart(2, '0')}`;
      const feed = (n: number, paid: string, commission: string, at: string) => ({
        order_id: '3045990000000001',
        sub_order_id: sub(n),
        order_status: 'Payment Completed',
        paid_time: at,
        paid_amount: paid,
        commission_rate: '7%',
        estimated_commission: commission,
      });
      await ctx.api('POST', `/v1/order-sources/${source.id}/affiliate-orders`, {
        orders: [
          feed(1, '128.00', '8.96', '2026-10-03 11:00:00'),
          feed(2, '256.00', '17.92', '2026-10-08 20:30:00'),
          feed(3, '99.00', '6.93', '2026-10-15 09:10:00'),
          feed(5, '188.00', '13.16', '2026-10-27 21:45:00'),
        ],
      });
      const rows = [
        [
          'order_id',
          'sub_order_id',
          'order_status',
          'paid_time',
          'paid_amount',
          'commission_rate',
          'estimated_commission',
        ],
        reportRow(sub(1), 'Completed Settlement', '128.00', '8.96', '2026-10-03 11:00:00'), // matched
        reportRow(sub(2), 'Completed Settlement', '256.00', '15.36', '2026-10-08 20:30:00'), // amount mismatch
        reportRow(sub(3), 'FullRefund', '99.00', '0.00', '2026-10-15 09:10:00'), // status mismatch
        reportRow(sub(4), 'Payment Completed', '66.00', '4.62', '2026-10-21 13:00:00'), // missing in Siyu
        // sub(5) is in Siyu's ledger but not in the report: missing in the report
      ];
      const form = new FormData();
      form.append(
        'file',
        new Blob([`${rows.map((r) => r.join(',')).join('\n')}\n`], { type: 'text/csv' }),
        'portals-2026-10.csv',
      );
      const q = `sourceId=${source.id}&from=${encodeURIComponent('2026-10-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-11-01T00:00:00+08:00')}`;
      const res = await fetch(`${ctx.baseUrl}/v1/partner-reconciliations?${q}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.accessToken}` },
        body: form,
      });
      if (res.status !== 201)
        throw new Error(`POST /v1/partner-reconciliations -> ${res.status}: ${await res.text()}`);
      const run = (await res.json()) as Run;
      ctx.print(
        `reconciliation of portals-2026-10.csv (${run.reportRows} rows): ` +
          Object.entries(run.counts)
            .filter(([, n]) => n > 0)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ') +
          `; report ${yuan(run.reportCommissionMinor)} vs Siyu ${yuan(run.siyuCommissionMinor)} (difference ${yuan(run.differenceMinor)})`,
      );
      const lines = await ctx.api<Page<Line>>('GET', `/v1/partner-reconciliations/${run.id}/lines?limit=50`);
      for (const l of lines.items)
        ctx.print(
          `  ${(l.subOrderId ?? '').padEnd(14)} ${l.kind.padEnd(18)} report ${(l.reportStatus ?? '—').padEnd(20)} ${yuan(l.reportCommissionMinor).padStart(8)}` +
            `  Siyu ${(l.siyuOrderStatus ?? '—').padEnd(9)} ${yuan(l.siyuCommissionMinor).padStart(8)}  Δ ${yuan(l.differenceMinor)}`,
        );
      const amount = lines.items.find((l) => l.kind === 'amount_mismatch');
      if (amount) {
        const r = await ctx.api<{ agreedCommissionMinor: string }>(
          'POST',
          `/v1/partner-reconciliations/${run.id}/lines/${amount.id}/resolution`,
          { resolution: 'accept_report', note: 'the programme applied a category rate' },
        );
        ctx.print(
          `  resolved ${amount.subOrderId}: accept the report, agreed ${yuan(r.agreedCommissionMinor)} (audited)`,
        );
      }
      ctx.print(`  CSV export: GET /v1/partner-reconciliations/${run.id}/export`);

      // 3. KPIs: per tier, per partner, and the Pilot cohorts.
      const summary = await ctx.api<{ totals: TierKpis; tiers: TierKpis[] }>('GET', '/v1/partners/kpis');
      ctx.print('partner KPIs per tier:');
      for (const tier of summary.tiers)
        ctx.print(
          kpiLine(`${tier.tier ?? 'applied'} (${tier.partners})`, tier, tier.medianTimeToFirstSaleHours),
        );
      ctx.print(kpiLine('all', summary.totals, summary.totals.medianTimeToFirstSaleHours));
      const now = await ctx.api<Page<PartnerKpis>>('GET', '/v1/partners/kpis/partners?limit=500');
      for (const p of now.items.filter((x) => isDemoPartner(x.name)))
        ctx.print(`${kpiLine(p.name, p, p.timeToFirstSaleHours)}, fraud score ${p.fraudScore}`);
      const cohorts = await ctx.api<{
        cohorts: Array<{
          cohort: string;
          partners: number;
          firstSaleWithin30DaysBp: number;
          medianTimeToFirstSaleHours: number | null;
          netGmvFirst30DaysMinor: string;
          promoted: number;
          stillPilot: number;
        }>;
      }>('GET', '/v1/partners/kpis/pilot-cohorts');
      ctx.print('Pilot cohorts (activation month):');
      for (const c of cohorts.cohorts)
        ctx.print(
          `  ${c.cohort}: ${c.partners} partners, first sale within 30 days ${pct(c.firstSaleWithin30DaysBp)}, ` +
            `median ${c.medianTimeToFirstSaleHours ?? '—'} h, first-30-day net GMV ${yuan(c.netGmvFirst30DaysMinor)}, ` +
            `${c.promoted} promoted, ${c.stillPilot} still Pilot`,
        );
    },
  },
];
