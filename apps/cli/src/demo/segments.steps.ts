import { DemoContext, DemoStep } from './demo-context';

interface Tag {
  id: string;
  name: string;
  memberCount: number;
}

interface Rfm {
  computedAt: string | null;
  scoredMembers: number;
  pending: boolean;
  groups: Array<{ group: string; label: string; members: number }>;
}

interface Segment {
  id: string;
  name: string;
  memberCount: number;
  countedAt: string;
}

interface SampleMember {
  id: string;
  nickname: string | null;
  phone: string | null;
  sourceChannel: string;
  city: string | null;
  tags: string[];
}

async function tagIds(ctx: DemoContext, ...names: string[]): Promise<string[]> {
  const page = await ctx.api<{ items: Tag[] }>('GET', '/v1/tags?limit=500');
  return names.map((n) => {
    const tag = page.items.find((t) => t.name === n);
    if (!tag) throw new Error(`the demo import has no tag "${n}"`);
    return tag.id;
  });
}

async function waitForRfm(ctx: DemoContext, since: string | null): Promise<Rfm> {
  for (let i = 0; i < 600; i++) {
    const rfm = await ctx.api<Rfm>('GET', '/v1/segments/rfm');
    if (!rfm.pending && rfm.computedAt !== since) return rfm;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the RFM recompute did not finish within 2 minutes');
}

const describe = (m: SampleMember) =>
  `${m.nickname ?? '(erased)'} · ${m.phone ?? 'no phone'} · ${m.sourceChannel} · ${m.city ?? '-'} · [${m.tags.join(', ')}]`;

/** Segments: RFM on demand, two saved segments with their counts, a preview, a snapshot. */
export const SEGMENTS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Segments: RFM scores and groups (computed in SQL, queued; nightly at 04:00 brand time)',
    async run(ctx) {
      const before = await ctx.api<Rfm>('GET', '/v1/segments/rfm');
      const queued = await ctx.api<{ workItemId: string }>('POST', '/v1/segments/rfm/recompute');
      ctx.print(`POST /v1/segments/rfm/recompute queued work item ${queued.workItemId}; the worker runs it`);
      const rfm = await waitForRfm(ctx, before.computedAt);
      ctx.print(`RFM computed at ${rfm.computedAt}: ${rfm.scoredMembers} members with a paid order scored`);
      if (rfm.scoredMembers === 0)
        ctx.print('  (no paid orders yet: every member is unscored until orders arrive)');
      for (const g of rfm.groups.filter((x) => x.members > 0))
        ctx.print(`  ${g.label.padEnd(20)} ${String(g.members).padStart(6)}`);
    },
  },
  {
    title: 'Segments: two saved segments, a preview, a rule error, a snapshot',
    async run(ctx) {
      const [teaLover, repeatBuyer] = await tagIds(ctx, 'tea-lover', 'repeat-buyer');
      const repeatTea = await ctx.api<Segment>('POST', '/v1/segments', {
        name: 'Repeat tea lovers on WeCom',
        description: 'WeCom members tagged tea-lover and repeat-buyer who may be messaged',
        rule: {
          all: [
            { field: 'source_channel', op: 'eq', value: 'wecom' },
            { field: 'tags', op: 'has_all', value: [teaLover, repeatBuyer] },
            { field: 'reachable', op: 'eq', value: true },
          ],
        },
      });
      const atRisk = await ctx.api<Segment>('POST', '/v1/segments', {
        name: 'At-risk spenders',
        description: 'RFM at risk or can’t-lose, or ¥1,000+ lifetime without an order for 60 days',
        rule: {
          any: [
            { field: 'rfm_group', op: 'in', value: ['at_risk', 'cant_lose_them'] },
            {
              all: [
                { field: 'paid_spend', op: 'gte', value: 100_000 },
                { field: 'days_since_last_order', op: 'gte', value: 60 },
              ],
            },
          ],
        },
      });
      for (const s of [repeatTea, atRisk])
        ctx.print(`saved "${s.name}": ${s.memberCount} members (counted ${s.countedAt})`);
      if (atRisk.memberCount === 0)
        ctx.print('  ("At-risk spenders" fills in once orders arrive and RFM runs)');

      const preview = await ctx.api<{ count: number; sample: SampleMember[] }>(
        'POST',
        '/v1/segments/preview',
        {
          rule: {
            all: [
              { field: 'source_channel', op: 'eq', value: 'douyin' },
              { field: 'tags', op: 'has_any', value: [teaLover] },
              { field: 'city', op: 'eq', value: '上海' },
            ],
          },
        },
      );
      ctx.print(
        `preview "tea lovers from Douyin in 上海": ${preview.count} members; the first of the sample:`,
      );
      for (const m of preview.sample.slice(0, 3)) ctx.print(`  ${describe(m)}`);

      try {
        await ctx.api('POST', '/v1/segments/preview', {
          rule: {
            all: [
              { field: 'tags', op: 'has_any', value: [teaLover] },
              { any: [{ field: 'order_count', op: 'gte', value: 'many' }] },
            ],
          },
        });
      } catch (err) {
        const body = JSON.parse(String((err as Error).message).replace(/^[^{]*/, '')) as {
          code: string;
          errors: Array<{ field: string; message: string }>;
        };
        ctx.print(
          `a bad rule is refused: 400 ${body.code} at ${body.errors[0].field} (${body.errors[0].message})`,
        );
      }

      const snap = await ctx.api<{ id: string; count: number }>(
        'POST',
        `/v1/segments/${repeatTea.id}/snapshots`,
        {
          label: 'demo campaign',
        },
      );
      const frozen = await ctx.api<{ items: SampleMember[] }>(
        'GET',
        `/v1/segments/snapshots/${snap.id}/members?limit=2`,
      );
      ctx.print(
        `snapshot ${snap.id} froze ${snap.count} members of "${repeatTea.name}" for a campaign, e.g.:`,
      );
      for (const m of frozen.items) ctx.print(`  ${describe(m)}`);
      const csv = await fetch(`${ctx.baseUrl}/v1/segments/${repeatTea.id}/export`, {
        headers: { authorization: `Bearer ${ctx.accessToken}` },
      });
      const lines = (await csv.text()).trimEnd().split('\n');
      ctx.print(`GET /v1/segments/${repeatTea.id}/export streamed ${lines.length - 1} CSV rows: ${lines[0]}`);
    },
  },
];
