import { DemoStep } from './demo-context';
import { pushCallback, until } from './communities.steps';

interface Code {
  id: string;
  name: string;
  state: string;
  qrCode: string;
  activeStaff: string[];
}

interface ReportRow {
  dimension: string;
  key: string;
  label: string;
  cohort: string;
  adds: number;
  welcomesDelivered: number;
  deletedWithin1d: number;
  retained7d: number;
  firstOrders: number;
}

/** The three codes and how many contacts wecom-sim adds through each. */
const CODES = [
  {
    adds: 120,
    body: {
      name: '门店海报',
      staff: ['zhang.wei'],
      sourceChannel: 'store',
      utm: { source: 'store', medium: 'poster', campaign: 'autumn' },
      welcome: { text: '欢迎来到门店会员群！回复「1」领取新人茶礼。' },
    },
  },
  {
    adds: 110,
    body: {
      name: '抖音主页',
      staff: ['li.na', 'wang.fang'],
      sourceChannel: 'douyin',
      utm: { source: 'douyin', medium: 'bio' },
      welcome: { text: '抖音来的朋友你好，直播间专属券已备好。' },
      routing: { rule: 'round_robin', dailyCap: 200 },
    },
  },
  {
    adds: 70,
    body: {
      name: '小红书笔记',
      staff: ['wang.fang', 'zhang.wei'],
      sourceChannel: 'xiaohongshu',
      utm: { source: 'xiaohongshu', medium: 'note' },
      welcome: { text: '感谢从小红书找到我们，茶单已发你。' },
      routing: { rule: 'least_loaded' },
    },
  },
];
const DELETES = 12;

/** Acquisition: channel codes, contacts added through them (with a welcome each), a few deletes, the report. */
export const ACQUISITION_DEMO_STEPS: DemoStep[] = [
  {
    title:
      'Acquisition: channel codes (store poster, Douyin, RED), contacts added through wecom-sim, the report',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      const codes: Code[] = [];
      for (const c of CODES) {
        const code = await ctx.api<Code>('POST', '/v1/acquisition/channel-codes', c.body);
        codes.push(code);
        ctx.print(
          `channel code ${code.name}: state ${code.state}, QR ${code.qrCode}, staff ${code.activeStaff.join(', ')}`,
        );
      }
      const adds: Array<{ state: string; staff: string; external: string }> = [];
      CODES.forEach((c, k) => {
        for (let i = 0; i < c.adds; i++)
          adds.push({
            state: codes[k].state,
            staff: c.body.staff[i % c.body.staff.length],
            external: `wm-acq-${seed}-${k}-${i}`,
          });
      });
      const t0 = Date.now();
      for (let i = 0; i < adds.length; i += 10)
        await Promise.all(
          adds.slice(i, i + 10).map((a) =>
            pushCallback(ctx, {
              Event: 'change_external_contact',
              ChangeType: 'add_external_contact',
              UserID: a.staff,
              ExternalUserID: a.external,
              State: a.state,
            }),
          ),
        );
      ctx.print(
        `wecom-sim pushed ${adds.length} add_external_contact callbacks in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      );
      for (const a of adds.filter((_, i) => i % 25 === 3).slice(0, DELETES))
        await pushCallback(ctx, {
          Event: 'change_external_contact',
          ChangeType: 'del_follow_user',
          UserID: a.staff,
          ExternalUserID: a.external,
        });
      ctx.print(`…and ${DELETES} of those customers deleted their staff member again`);

      await until(
        'every add counted and deletes recorded',
        async () => {
          const r = await ctx.api<{ rows: ReportRow[] }>('GET', '/v1/acquisition/report?dimension=code');
          const all = r.rows.filter((x) => x.cohort === 'all');
          const added = all.reduce((s, x) => s + x.adds, 0);
          const deleted = all.reduce((s, x) => s + x.deletedWithin1d, 0);
          const welcomed = all.reduce((s, x) => s + x.welcomesDelivered, 0);
          return added === adds.length && deleted === DELETES && welcomed === adds.length ? r : undefined;
        },
        90_000,
      );
      const full = await ctx.api<{ timeZone: string; from: string; to: string; rows: ReportRow[] }>(
        'GET',
        '/v1/acquisition/report',
      );
      ctx.print(`GET /v1/acquisition/report (${full.from} → ${full.to}, ${full.timeZone}), all weeks:`);
      ctx.print('  dimension  key                 adds  welcomed  deleted<1d  retained7d  first orders');
      for (const r of full.rows.filter((x) => x.cohort === 'all'))
        ctx.print(
          `  ${r.dimension.padEnd(9)}  ${r.label.padEnd(18, ' ')}  ${String(r.adds).padStart(4)}  ${String(r.welcomesDelivered).padStart(8)}  ${String(r.deletedWithin1d).padStart(10)}  ${String(r.retained7d).padStart(10)}  ${String(r.firstOrders).padStart(12)}`,
        );
      ctx.print(
        '(also as CSV: GET /v1/acquisition/report/export; cohorts by ISO week of the add in the rows)',
      );
    },
  },
];
