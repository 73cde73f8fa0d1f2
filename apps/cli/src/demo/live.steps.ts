import { DateTime } from 'luxon';
import { DemoContext, DemoStep } from './demo-context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Reminder {
  kind: string;
  dueAtLocal: string;
  status: string;
  reason: string | null;
  campaigns: Array<{ id: string; channel: string; status: string; counts: Record<string, number> }>;
}

interface Session {
  id: string;
  title: string;
  status: string;
  timeZone: string;
  plannedStartLocal: string;
  plannedEndLocal: string;
  rsvpCount: number;
  audience: { groupIds: string[]; segmentIds: string[] };
  reminders: Reminder[];
}

function printPlan(ctx: DemoContext, s: Session): void {
  for (const r of s.reminders) {
    const campaigns = r.campaigns
      .map((c) => `${c.channel} ${c.status}, sent ${c.counts.sent ?? 0}`)
      .join('; ');
    ctx.print(
      `  ${r.kind.padEnd(13)} ${r.dueAtLocal.replace('T', ' ')}  ${r.status}${r.reason ? ` (${r.reason})` : ''}` +
        (campaigns ? `  [${campaigns}]` : ''),
    );
  }
}

/** Polls until every campaign of the session's reminders has left draft/scheduled/sending, or gives up. */
async function settled(ctx: DemoContext, id: string, kinds: string[], timeoutMs = 60_000): Promise<Session> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const s = await ctx.api<Session>('GET', `/v1/live-sessions/${id}`);
    const open = s.reminders
      .filter((r) => kinds.includes(r.kind))
      .some((r) => r.campaigns.some((c) => ['scheduled', 'sending'].includes(c.status)));
    if (!open || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export const LIVE_DEMO_STEPS: DemoStep[] = [
  {
    title: "Live commerce: tomorrow evening's session, its reminder plan, an RSVP",
    async run(ctx) {
      const me = await ctx.api<{ brand: { timeZone: string } }>('GET', '/v1/me');
      const zone = me.brand.timeZone;
      const groups = await ctx.api<Page<{ id: string; name: string }>>('GET', '/v1/groups?limit=2');
      const segments = await ctx.api<Page<{ id: string; name: string }>>('GET', '/v1/segments?limit=1');
      // Featured products get tracked links: their shop must be on the brand's allowlist.
      const links = await ctx.api<{ allowedDomains: string[] }>('GET', '/v1/conversion-settings');
      if (!links.allowedDomains.includes('shop.example.com'))
        await ctx.api('PUT', '/v1/conversion-settings', {
          allowedDomains: [...links.allowedDomains, 'shop.example.com'],
        });
      const day = DateTime.now().setZone(zone).plus({ days: 1 }).toFormat('yyyy-MM-dd');
      const session = await ctx.api<Session>('POST', '/v1/live-sessions', {
        title: '新茶品鉴直播',
        platform: 'wechat_channels',
        finderId: 'sph_siyu_tea',
        host: '林主播',
        plannedStart: `${day}T20:00`,
        plannedEnd: `${day}T22:00`,
        audience: {
          groupIds: groups.items.map((g) => g.id),
          segmentIds: segments.items.map((s) => s.id),
        },
        products: [
          {
            name: '明前龙井 100g',
            priceMinor: '16800',
            destinationUrl: 'https://shop.example.com/p/longjing',
          },
        ],
      });
      ctx.print(
        `session "${session.title}" ${session.plannedStartLocal} → ${session.plannedEndLocal} (${zone}), ` +
          `${groups.items.length} group chats (${groups.items.map((g) => g.name).join(', ')}) and ` +
          `${segments.items.length ? `segment "${segments.items[0].name}"` : 'no segment'}`,
      );
      const withLinks = await ctx.api<{ products: Array<{ name: string; linkId: string | null }> }>(
        'GET',
        `/v1/live-sessions/${session.id}`,
      );
      for (const p of withLinks.products)
        ctx.print(`featured product "${p.name}": tracked link ${p.linkId ?? '(none)'} bound to the session`);
      ctx.print('reminder plan (brand-local times), each a scheduled campaign:');
      printPlan(ctx, session);
      const member = await ctx.api<Page<{ id: string }>>('GET', '/v1/members?limit=1');
      if (member.items[0]) {
        for (let i = 0; i < 2; i++)
          await ctx.api('POST', `/v1/live-sessions/${session.id}/rsvp`, { memberId: member.items[0].id });
        ctx.print(`member ${member.items[0].id} RSVP'd (twice: idempotent)`);
      }
      const shown = await ctx.api<Session>('GET', `/v1/live-sessions/${session.id}`);
      ctx.print(`session ${shown.id}: ${shown.status}, ${shown.rsvpCount} RSVP`);
    },
  },
  {
    title: 'Live commerce at compressed offsets: 1-minute reminder, now live, end, report',
    async run(ctx) {
      const me = await ctx.api<{ brand: { timeZone: string } }>('GET', '/v1/me');
      const zone = me.brand.timeZone;
      const groups = await ctx.api<Page<{ id: string }>>('GET', '/v1/groups?limit=2');
      await ctx.api('PUT', '/v1/live-settings', { nowLiveQuietHoursExempt: true });
      const start = DateTime.now().setZone(zone).plus({ seconds: 65 });
      const fmt = "yyyy-MM-dd'T'HH:mm:ss";
      const session = await ctx.api<Session>('POST', '/v1/live-sessions', {
        title: '快闪直播',
        platform: 'douyin',
        roomUrl: 'https://live.example.com/room/flash',
        plannedStart: start.toFormat(fmt),
        plannedEnd: start.plus({ minutes: 30 }).toFormat(fmt),
        audience: { groupIds: groups.items.map((g) => g.id) },
        reminders: [{ kind: 'before_start', minutes: 1 }, { kind: 'now_live' }],
      });
      ctx.print(`flash session starts ${session.plannedStartLocal}; "1 minute before" is due in ~5 s`);
      printPlan(ctx, await settled(ctx, session.id, ['before_start']));
      await ctx.api('POST', `/v1/live-sessions/${session.id}/start`);
      ctx.print('went live early: "now live" is sent now rather than at the planned start');
      printPlan(ctx, await settled(ctx, session.id, ['now_live']));
      await ctx.api('POST', `/v1/live-sessions/${session.id}/end`);
      const report = await ctx.api<{
        rsvps: number;
        deliveries: Record<string, number>;
        during: { orders: number; gmvMinor: string };
        after24h: { orders: number; gmvMinor: string };
      }>('GET', `/v1/live-sessions/${session.id}/report`);
      ctx.print(
        `report: deliveries ${JSON.stringify(report.deliveries)}; during: ${report.during.orders} orders, ` +
          `GMV ${report.during.gmvMinor} (minor units); 24 h after: ${report.after24h.orders} orders`,
      );
    },
  },
];
