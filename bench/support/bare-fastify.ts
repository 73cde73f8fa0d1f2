import Fastify from 'fastify';

/**
 * The reference server for http benches: Fastify with no plugins, no logger and one route on the
 * same path Siyu serves, so the load tool sees identical URLs. Run as a child from dist/.
 */
async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ hello: 'world' }));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void app.close().then(() => process.exit(0)));
  }
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
