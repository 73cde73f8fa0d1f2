import { DemoStep } from './demo-context';

interface Me {
  kind: string;
  role: string;
  email: string;
  brand: { name: string; timeZone: string; currency: string };
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
];
