import 'reflect-metadata';
import { AppConfig, createApiApp, listen } from '@siyu/platform';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const app = await createApiApp(AppModule);
  const timeout = app.get(AppConfig).get('SHUTDOWN_TIMEOUT_MS');
  // Nest drains in-flight requests on SIGTERM/SIGINT; this bounds how long that may take.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), timeout).unref());
  }
  await listen(app);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
