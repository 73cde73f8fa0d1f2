import { ACQUISITION_GROWTH_DEMO_STEPS } from './acquisition-growth.steps';
import { ACQUISITION_DEMO_STEPS } from './acquisition.steps';
import { ANALYTICS_DEMO_STEPS } from './analytics.steps';
import { CAMPAIGNS_DEMO_STEPS } from './campaigns.steps';
import { COMMERCE_DEMO_STEPS } from './commerce.steps';
import { COMMUNITIES_DEMO_STEPS } from './communities.steps';
import { CONVERSIONS_DEMO_STEPS } from './conversions.steps';
import { COUPONS_DEMO_STEPS } from './coupons.steps';
import { DRAWS_DEMO_STEPS } from './draws.steps';
import { LIVE_DEMO_STEPS } from './live.steps';
import { ORDERS_INGEST_DEMO_STEPS } from './orders-ingest.steps';
import { PARTNERS_DEMO_STEPS } from './partners.steps';
import { PARTNERS_RISK_DEMO_STEPS } from './partners-risk.steps';
import { DemoContext, DemoStep } from './demo-context';
import { SEGMENTS_DEMO_STEPS } from './segments.steps';
import { TIERS_DEMO_STEPS } from './tiers.steps';

interface Me {
  kind: string;
  role: string;
  email: string;
  brand: { name: string; timeZone: string; currency: string };
}

interface MemberImport {
  id: string;
  status: string;
  percent: number;
  totalRows: number;
  inserted: number;
  updated: number;
  failed: number;
}

const DEMO_CHANNELS = [
  'wecom',
  'wechat_oa',
  'douyin',
  'xiaohongshu',
  'taobao',
  'store',
  'bilibili',
  'wechat_channels',
];
const DEMO_CITIES = ['上海', '杭州', '北京', '深圳', '成都', '广州'];

/**
 * A members CSV of `rows` people from several channels (more from WeCom and Douyin), some tagged,
 * some opted out, and one bad row in 500 (an invalid phone) to show the per-row error report.
 */
function demoMembersCsv(rows: number, seed: string): string {
  const lines = [
    'external_userid,unionid,phone,nickname,source_channel,city,birthday,tags,consent,joined_at',
  ];
  for (let i = 0; i < rows; i++) {
    const channel = DEMO_CHANNELS[i % 13 < 4 ? 0 : i % 13 < 7 ? 2 : i % DEMO_CHANNELS.length];
    const phone = i % 500 === 499 ? '12345' : `13${String(900_000_000 + i).slice(-9)}`;
    const tags = i % 7 === 0 ? 'tea-lover|repeat-buyer' : i % 5 === 0 ? 'tea-lover' : '';
    const consent = i % 25 === 0 ? 'opted_out' : 'opted_in';
    const day = String((i % 28) + 1).padStart(2, '0');
    lines.push(
      `wm-${seed}-${i},un-${seed}-${i},${phone},Member ${i},${channel},${DEMO_CITIES[i % DEMO_CITIES.length]},1992-03-${day},${tags},${consent},2025-0${(i % 9) + 1}-${day}T10:00:00+08:00`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function uploadCsv(ctx: DemoContext, filename: string, text: string): Promise<MemberImport> {
  const form = new FormData();
  form.append('file', new Blob([text], { type: 'text/csv' }), filename);
  const res = await fetch(`${ctx.baseUrl}/v1/members/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ctx.accessToken}` },
    body: form,
  });
  if (res.status !== 202) throw new Error(`POST /v1/members/imports -> ${res.status}: ${await res.text()}`);
  return (await res.json()) as MemberImport;
}

async function waitForImport(ctx: DemoContext, id: string): Promise<MemberImport> {
  for (;;) {
    const state = await ctx.api<MemberImport>('GET', `/v1/members/imports/${id}`);
    if (state.status === 'completed' || state.status === 'failed') return state;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The demo story, in order. Each capability adds its steps here. */
export const DEMO_STEPS: DemoStep[] = [
  {
    title: 'Brand and operators',
    async run(ctx) {
      const me = await ctx.api<Me>('GET', '/v1/me');
      ctx.print(
        `logged in as ${me.email} (${me.role}) of "${me.brand.name}", ${me.brand.timeZone}, ${me.brand.currency}`,
      );
      await ctx.api('PATCH', '/v1/brand', {
        quietHoursStart: '22:00',
        quietHoursEnd: '08:00',
        frequencyCapCount: 3,
        frequencyCapWindowHours: 24,
      });
      ctx.print('quiet hours set to 22:00–08:00 brand time; frequency cap 3 messages per 24 h');
      const cm = await ctx.api<{ email: string; role: string }>('POST', '/v1/operators', {
        email: `cm-${ctx.brandId.slice(0, 8)}@demo.siyu.test`,
        name: 'Community Manager',
        password: `cm-${ctx.brandId}`,
        role: 'community_manager',
      });
      ctx.print(`added operator ${cm.email} as ${cm.role}`);
      const key = await ctx.api<{ prefix: string; role: string }>('POST', '/v1/api-keys', {
        name: 'store webhook relay',
        role: 'operator',
      });
      ctx.print(`created API key sk_${key.prefix}_… (${key.role}); the secret was shown once`);
      const audit = await ctx.api<{ items: Array<{ action: string; actorType: string }> }>(
        'GET',
        '/v1/audit-log?limit=10',
      );
      ctx.print(`audit log: ${audit.items.map((a) => `${a.action} by ${a.actorType}`).join(', ')}`);
    },
  },
  {
    title: 'Members: a 20,000-row CSV import, identities and tags',
    async run(ctx) {
      const rows = 20_000;
      const csv = demoMembersCsv(rows, ctx.brandId.slice(0, 8));
      const upload = await uploadCsv(ctx, 'members.csv', csv);
      ctx.print(
        `uploaded members.csv (${rows} rows, ${(csv.length / 1_048_576).toFixed(1)} MiB); import ${upload.id} queued`,
      );
      const started = Date.now();
      const done = await waitForImport(ctx, upload.id);
      ctx.print(
        `import ${done.status} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${done.inserted} created, ${done.updated} updated, ` +
          `${done.failed} rejected (per-row reasons at /v1/members/imports/${done.id}/errors.csv)`,
      );
      const again = await waitForImport(ctx, (await uploadCsv(ctx, 'members.csv', csv)).id);
      ctx.print(`the same file again: ${again.inserted} created, ${again.updated} updated (no duplicates)`);

      const summary = await ctx.api<{
        total: number;
        reachable: number;
        bySourceChannel: Record<string, number>;
      }>('GET', '/v1/members/summary');
      ctx.print(`members by source channel (${summary.total} active, ${summary.reachable} reachable):`);
      for (const [channel, count] of Object.entries(summary.bySourceChannel))
        ctx.print(`  ${channel.padEnd(16)} ${String(count).padStart(6)}`);

      const byPhone = await ctx.api<{ id: string; phone: string; created: boolean }>('POST', '/v1/members', {
        identities: { phone: '+86 139 0000 0007', externalUserId: `wm-demo-${ctx.brandId.slice(0, 8)}` },
        nickname: '小林',
      });
      ctx.print(
        `POST /v1/members with phone "+86 139 0000 0007" found member ${byPhone.id} (created: ${byPhone.created}), stored as ${byPhone.phone}`,
      );
      const listed = await ctx.api<{ items: Array<{ phone: string }> }>('GET', '/v1/members?q=13900000007');
      ctx.print(`the list shows it masked: ${listed.items[0]?.phone}`);
    },
  },
  ...COMMERCE_DEMO_STEPS,
  ...TIERS_DEMO_STEPS,
  ...SEGMENTS_DEMO_STEPS,
  ...COMMUNITIES_DEMO_STEPS,
  ...CAMPAIGNS_DEMO_STEPS,
  ...COUPONS_DEMO_STEPS,
  ...DRAWS_DEMO_STEPS,
  ...LIVE_DEMO_STEPS,
  ...ORDERS_INGEST_DEMO_STEPS,
  ...CONVERSIONS_DEMO_STEPS,
  ...PARTNERS_DEMO_STEPS,
  ...PARTNERS_RISK_DEMO_STEPS,
  ...ANALYTICS_DEMO_STEPS,
  ...ACQUISITION_DEMO_STEPS,
  ...ACQUISITION_GROWTH_DEMO_STEPS,
];
