import { createHash, createHmac } from 'node:crypto';
import { DemoContext, DemoStep } from './demo-context';

interface Disclosure {
  name: string;
  state: string;
  timeZone: string;
  totalWeight: number;
  limits: { perMember: number | null; perMemberPerDay: number | null };
  prizes: Array<{ name: string; quantity: number | null; weight: number; odds: string; note: string | null }>;
  fallback: { name: string; weight: number; odds: string };
  stockRule: string;
  fairness: { commitment: string; seedRevealed: boolean };
}

interface Entry {
  id: string;
  memberId: string;
  outcome: 'won' | 'fallback';
  prize: { name: string } | null;
  fallbackReason: string | null;
}

interface Verify {
  commitment: string;
  seed: string | null;
  table: { slots: Array<{ weight: number; name: string; fallback: boolean }> };
  entries: Array<{ id: string; slot: number }>;
  nextCursor: string | null;
}

interface Stats {
  entries: number;
  entrants: number;
  winners: number;
  fallback: { drawn: number; outOfStock: number };
  prizes: Array<{
    name: string;
    stock: number | null;
    remaining: number | null;
    won: number;
    outOfStock: number;
  }>;
}

const percent = (odds: string) => `${(Number(odds) * 100).toFixed(2)} %`;

/** The verifier anyone can write from the README: HMAC-SHA256(seed, entry id) → 256-bit integer mod total. */
function recompute(seedHex: string, entryId: string, weights: number[]): number {
  const mac = createHmac('sha256', Buffer.from(seedHex, 'hex')).update(entryId).digest('hex');
  let r = BigInt(`0x${mac}`) % BigInt(weights.reduce((s, w) => s + w, 0));
  for (let i = 0; i < weights.length; i++) {
    if (r < BigInt(weights[i])) return i;
    r -= BigInt(weights[i]);
  }
  return -1;
}

async function memberIds(ctx: DemoContext, n: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  while (ids.length < n) {
    const page: { items: Array<{ id: string }>; nextCursor: string | null } = await ctx.api(
      'GET',
      `/v1/members?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...page.items.map((m) => m.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return ids.slice(0, n);
}

export const DRAWS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Lucky draw: 300 entries, disclosure, results, and an independent verification',
    async run(ctx) {
      const now = Date.now();
      const draft = await ctx.api<{ id: string }>('POST', '/v1/draws', {
        name: '直播间福袋',
        rules: '直播期间每人每天最多 3 次；实物奖品 7 天内顺丰寄出',
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 2 * 3_600_000).toISOString(),
        limitPerDay: 3,
        fallbackWeight: 60,
        prizes: [
          { name: '茶具礼盒', weight: 2, stock: 2, kind: 'physical', note: '顺丰包邮' },
          { name: '保温杯', weight: 8, stock: 5, kind: 'physical', note: '顺丰包邮' },
          { name: '试饮装', weight: 30, kind: 'physical', note: '随下一单寄出' },
        ],
      });
      const published = await ctx.api<{ commitment: string; state: string }>(
        'POST',
        `/v1/draws/${draft.id}/publish`,
      );
      ctx.print(
        `draw ${draft.id} published (${published.state}); commitment SHA-256(seed) = ${published.commitment}`,
      );

      const d = await ctx.api<Disclosure>('GET', `/v1/draws/${draft.id}/disclosure`);
      ctx.print(`disclosure of "${d.name}" (limits: ${d.limits.perMemberPerDay} a day, ${d.timeZone}):`);
      for (const p of d.prizes)
        ctx.print(
          `  ${p.name.padEnd(6)} ${p.quantity === null ? 'unlimited' : `${p.quantity} units`.padEnd(9)}  weight ${String(p.weight).padStart(3)}/${d.totalWeight}  ${percent(p.odds).padStart(8)}  ${p.note ?? ''}`,
        );
      ctx.print(
        `  ${d.fallback.name.padEnd(6)} fallback   weight ${String(d.fallback.weight).padStart(3)}/${d.totalWeight}  ${percent(d.fallback.odds).padStart(8)}`,
      );
      ctx.print(`  ${d.stockRule}`);

      // 30 members enter from the H5 page with member tokens, an operator enters 270 more for members
      const members = await memberIds(ctx, 300);
      const entries: Entry[] = [];
      for (const m of members.slice(0, 30)) {
        const { token } = await ctx.api<{ token: string }>('POST', `/v1/members/${m}/tokens`, {
          ttlSeconds: 600,
        });
        const res = await fetch(`${ctx.baseUrl}/v1/draws/${draft.id}/entries`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        });
        if (res.status !== 201) throw new Error(`member entry -> ${res.status}: ${await res.text()}`);
        entries.push((await res.json()) as Entry);
      }
      for (let i = 30; i < members.length; i += 30)
        entries.push(
          ...(await Promise.all(
            members
              .slice(i, i + 30)
              .map((memberId) => ctx.api<Entry>('POST', `/v1/draws/${draft.id}/entries`, { memberId })),
          )),
        );
      ctx.print(`${entries.length} entries (30 with member tokens, the rest by an operator)`);

      await ctx.api('POST', `/v1/draws/${draft.id}/close`);
      const stats = await ctx.api<Stats>('GET', `/v1/draws/${draft.id}/stats`);
      ctx.print(`closed: ${stats.entries} entries by ${stats.entrants} members, ${stats.winners} winners`);
      for (const p of stats.prizes)
        ctx.print(
          `  ${p.name.padEnd(6)} won ${String(p.won).padStart(3)}  remaining ${p.remaining ?? '∞'}${p.outOfStock ? `  (${p.outOfStock} drew it after it ran out → fallback)` : ''}`,
        );
      ctx.print(
        `  fallback: ${stats.fallback.drawn} drawn, ${stats.fallback.outOfStock} from exhausted stock`,
      );
      const big = entries.filter((e) => e.outcome === 'won' && e.prize?.name !== '试饮装');
      ctx.print(
        `  big winners: ${big.map((e) => `${e.memberId.slice(0, 8)}… ${e.prize?.name}`).join(', ') || 'none'}`,
      );

      const all: Verify['entries'] = [];
      let first: Verify | null = null;
      let cursor: string | null = null;
      do {
        const page: Verify = await ctx.api(
          'GET',
          `/v1/draws/${draft.id}/verify?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        first ??= page;
        all.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor);
      const v = first as Verify;
      const seed = v.seed ?? '';
      const commitmentOk =
        createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') === v.commitment;
      const weights = v.table.slots.map((s) => s.weight);
      const agree = all.filter((e) => recompute(seed, e.id, weights) === e.slot).length;
      ctx.print(
        `verify: seed ${seed.slice(0, 16)}… revealed; SHA-256(seed) ${commitmentOk ? 'matches' : 'DOES NOT match'} the commitment; ` +
          `${agree}/${all.length} results recomputed from HMAC-SHA256(seed, entry id) agree`,
      );
      if (!commitmentOk || agree !== all.length) throw new Error('the draw did not verify');
    },
  },
];
