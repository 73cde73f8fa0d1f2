import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { loadEnvironment, runMigrations } from '@siyu/platform';
import { CliModule } from './cli.module';

async function main(): Promise<void> {
  // Every command works on an up-to-date schema, so a fresh install needs no separate step.
  await runMigrations(loadEnvironment());
  await CommandFactory.run(CliModule, {
    logger: ['error', 'warn'],
    serviceErrorHandler: (err) => {
      console.error(err.message);
      process.exit(1);
    },
    errorHandler: (err) => {
      console.error(err.message);
      process.exit(1);
    },
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
