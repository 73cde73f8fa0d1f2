import { DemoContext, DemoStep } from './demo-context';

interface Link {
  id: string;
  code: string;
  shortUrl: string;
  destination: string;
}

interface LinkDetail extends Link {
  stats: { clicks: number; members: number; visitors: number };
}

const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';
const BOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/** One visit to the short link, as a browser (or a bot) behind `ip` would make it. */
async function visit(ctx: DemoContext, code: string, ip: string, ua: string): Promise<Response> {
  return fetch(`${ctx.baseUrl}/r/${code}`, {
    redirect: 'manual',
    headers: { 'user-agent': ua, 'x-forwarded-for': ip },
  });
}

/** Tracked links: an allowlist, a link with UTM, four visits (one a repeat, one a bot), the counts. */
export const CONVERSIONS_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Tracked links: allowlist, a short link with UTM, clicks counted (bots and repeats left out)',
    async run(ctx) {
      await ctx.api('PUT', '/v1/conversion-settings', {
        allowedDomains: ['shop.example.com', 'aliexpress.com'],
        attributionWindowDays: 7,
      });
      ctx.print(
        'allowed link domains: shop.example.com, aliexpress.com (and subdomains); attribution window 7 days',
      );
      const refused = await fetch(`${ctx.baseUrl}/v1/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ destination: 'https://phishing.example.net/login' }),
      });
      const problem = (await refused.json()) as { errors: Array<{ field: string; message: string }> };
      ctx.print(
        `a link to phishing.example.net: ${refused.status}, ${problem.errors[0].field} ${problem.errors[0].message}`,
      );

      const link = await ctx.api<Link>('POST', '/v1/links', {
        name: '明前龙井 上新',
        destination: 'https://shop.example.com/longjing?sku=LJ-250',
        utm: { source: 'wecom', medium: 'group', campaign: 'spring-tea' },
      });
      ctx.print(`short link ${link.shortUrl} → ${link.destination}`);

      const first = await visit(ctx, link.code, '203.0.113.10', PHONE);
      ctx.print(`GET /r/${link.code}: ${first.status} Location: ${first.headers.get('location')}`);
      await visit(ctx, link.code, '203.0.113.10', PHONE);
      await visit(ctx, link.code, '203.0.113.11', PHONE);
      const bot = await visit(ctx, link.code, '66.249.66.1', BOT);
      ctx.print(
        `4 visits: two phones (one of them twice) and Googlebot (answered ${bot.status}, not counted)`,
      );
      const unknown = await fetch(`${ctx.baseUrl}/r/NoSuchCode1`, { redirect: 'manual' });
      ctx.print(`an unknown code: ${unknown.status} ${unknown.headers.get('content-type')}`);

      // The worker drains the clicks from Redis in batches; wait for them to land.
      const deadline = Date.now() + 20_000;
      let detail = await ctx.api<LinkDetail>('GET', `/v1/links/${link.id}`);
      while (detail.stats.clicks < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        detail = await ctx.api<LinkDetail>('GET', `/v1/links/${link.id}`);
      }
      ctx.print(
        `click counts: ${detail.stats.clicks} clicks from ${detail.stats.visitors} visitors ` +
          '(the repeat within the hour and the bot are not counted)',
      );
    },
  },
];
