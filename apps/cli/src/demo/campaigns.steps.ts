import { pushCallback, sim, until } from './communities.steps';
import { DemoContext, DemoStep } from './demo-context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Campaign {
  id: string;
  name: string;
  status: string;
  audienceSize: number | null;
  snapshotMs: number | null;
  schedule: { sendAt: string | null; sendAtLocal: string | null; timeZone: string | null };
}

interface Progress {
  status: string;
  counts: Record<string, number>;
  finished: number;
  remaining: number;
  ratePerSecond: number | null;
  etaSeconds: number | null;
  heldUntil: string | null;
  reasons: Array<{ status: string; reason: string; count: number }>;
  tasks: { open: number; done: number };
}

interface DryRun {
  audience: number;
  sendable: number;
  skipped: Record<string, number>;
  samples: Array<{ address: string | null; message: { text?: string } }>;
}

/** Schedules a campaign now, prints its progress while it runs, then its counts and reasons. */
async function runCampaign(ctx: DemoContext, body: object, minContacts = 0): Promise<Progress> {
  const draft = await ctx.api<Campaign>('POST', '/v1/campaigns', body);
  // The worker applies callbacks asynchronously: wait until the audience has the new WeCom contacts
  // (some of whom may be skipped for another reason, e.g. opted out).
  const dry = await until('the audience', async () => {
    const d = await ctx.api<DryRun>('POST', `/v1/campaigns/${draft.id}/dry-run`);
    return d.audience - (d.skipped.no_wecom_contact ?? 0) >= minContacts ? d : undefined;
  });
  const skipped = Object.entries(dry.skipped)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  ctx.print(
    `"${draft.name}": dry run → ${dry.audience} recipients, ${dry.sendable} sendable${skipped ? `, would skip ${skipped}` : ''}`,
  );
  if (dry.samples[0]?.message.text) ctx.print(`  sample: ${dry.samples[0].message.text}`);
  const scheduled = await ctx.api<Campaign>('POST', `/v1/campaigns/${draft.id}/schedule`, {});
  ctx.print(`  scheduled for now (${scheduled.schedule.sendAtLocal} ${scheduled.schedule.timeZone})`);
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    const p = await ctx.api<Progress>('GET', `/v1/campaigns/${draft.id}/progress`);
    const line =
      `  ${p.status}: ${p.counts.sent} sent, ${p.counts.submitted} awaiting staff, ${p.counts.pending + p.counts.retry + p.counts.sending} to send` +
      (p.heldUntil ? `, held by quiet hours until ${p.heldUntil}` : '') +
      (p.ratePerSecond !== null ? `, ${p.ratePerSecond}/s` : '');
    if (line !== last) ctx.print(line);
    last = line;
    if (['completed', 'cancelled', 'failed'].includes(p.status) && p.remaining === 0) return p;
    if (Date.now() > deadline) throw new Error(`campaign ${draft.id} did not finish in 60 s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function report(ctx: DemoContext, p: Progress): void {
  ctx.print(`  delivered ${p.counts.sent}, skipped ${p.counts.skipped}, failed ${p.counts.failed}`);
  for (const r of p.reasons) ctx.print(`    ${r.status} ${r.reason}: ${r.count}`);
}

/** Campaigns: a group-chat broadcast and a 1:1 broadcast to a segment, sent through wecom-sim. */
export const CAMPAIGNS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Campaigns: a group-chat broadcast and a 1:1 broadcast to a segment',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      const brand = await ctx.api<{
        quietHoursStart: string | null;
        quietHoursEnd: string | null;
        timeZone: string;
      }>('GET', '/v1/brand');
      const now = new Intl.DateTimeFormat('en-GB', {
        timeZone: brand.timeZone,
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }).format(new Date());
      const s = brand.quietHoursStart?.slice(0, 5);
      const e = brand.quietHoursEnd?.slice(0, 5);
      const quiet = !!s && !!e && (s < e ? now >= s && now < e : now >= s || now < e);
      if (quiet)
        ctx.print(
          `it is ${now} brand time, inside quiet hours ${s}–${e}: these demo campaigns are marked quietHoursExempt (a real one would be held until ${e}, then sent)`,
        );

      const groups = await runCampaign(ctx, {
        name: '周五直播预告（群发）',
        channel: 'wecom_group',
        audience: { kind: 'groups', all: true },
        message: {
          text: '本周五晚八点直播上新，龙井新茶会员价 8 折，记得来看！',
          attachments: [
            { msgtype: 'link', link: { title: '预约直播', url: 'https://shop.example.com/live' } },
          ],
        },
        quietHoursExempt: quiet,
      });
      report(ctx, groups);

      // The first group's customers become 1:1 contacts of its owner (add_external_contact callbacks).
      const first = await ctx.api<Page<{ id: string; name: string; owner: { userid: string } | null }>>(
        'GET',
        '/v1/groups?limit=50',
      );
      const group = [...first.items].sort((a, b) => a.name.localeCompare(b.name))[0];
      const members = await ctx.api<Page<{ userid: string; memberId: string | null }>>(
        'GET',
        `/v1/groups/${group.id}/members?type=external&limit=60`,
      );
      for (const m of members.items.slice(0, 40))
        await pushCallback(ctx, {
          Event: 'change_external_contact',
          ChangeType: 'add_external_contact',
          UserID: group.owner?.userid ?? 'zhang.wei',
          ExternalUserID: m.userid,
        });
      const added = Math.min(40, members.items.length);
      if (added)
        ctx.print(
          `${added} customers of "${group.name}" added its owner on WeCom (callbacks from wecom-sim)`,
        );
      const segment = await ctx.api<{ id: string; name: string; memberCount: number }>(
        'POST',
        '/v1/segments',
        {
          name: `In ${group.name} (${seed})`,
          rule: { all: [{ field: 'group_chats', op: 'has_any', value: [group.id] }] },
        },
      );
      ctx.print(`segment "${segment.name}": ${segment.memberCount} members`);
      const single = await runCampaign(
        ctx,
        {
          name: '会员日 1:1 提醒',
          channel: 'wecom_single',
          audience: { kind: 'segment', segmentId: segment.id },
          message: { text: '会员日到了：全场茶叶 8 折，今晚 12 点截止。' },
          quietHoursExempt: quiet,
        },
        added,
      );
      report(ctx, single);

      // Members abroad get tomorrow's reminder at 10:00 their own time.
      const abroad = ['America/Los_Angeles', 'Europe/London'];
      for (const [i, m] of members.items.slice(0, abroad.length).entries())
        await ctx.api('POST', '/v1/members', {
          identities: { externalUserId: m.userid },
          timeZone: abroad[i],
        });
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const local = await ctx.api<Campaign>('POST', '/v1/campaigns', {
        name: '明早 10 点（各自时区）',
        channel: 'wecom_single',
        audience: { kind: 'segment', segmentId: segment.id },
        message: { text: '早上好！新茶到店，会员价今天有效。' },
      });
      const planned = await ctx.api<{
        schedule: { zones: Array<{ timeZone: string; at: string; heldByQuietHours: boolean }> };
      }>('POST', `/v1/campaigns/${local.id}/schedule`, { at: `${tomorrow}T10:00`, memberTimeZone: true });
      ctx.print(`"${local.name}": at 10:00 in each member's own time zone`);
      for (const z of planned.schedule.zones)
        ctx.print(`  ${z.timeZone}: ${z.at}${z.heldByQuietHours ? ' (moved out of quiet hours)' : ''}`);
      await ctx.api('POST', `/v1/campaigns/${local.id}/unschedule`);
      ctx.print('  (unscheduled again: the demo does not wait until tomorrow)');

      const stats = await sim<{
        messages: { total: number; recipients: number };
        duplicates: { recipients: number };
      }>('/_sim/stats');
      ctx.print(
        `wecom-sim holds ${stats.messages.total} messages for ${stats.messages.recipients} recipients; duplicates: ${stats.duplicates.recipients}`,
      );
    },
  },
];
