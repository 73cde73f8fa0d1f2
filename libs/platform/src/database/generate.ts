import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEnvironment } from '../config/app-config';
import { pendingSchemaChanges, runMigrations } from './migrator';

/**
 * `npm run migration:generate -- PascalName`: applies the migrations, then writes what the entities
 * still need as a new migration file in migrations/ for a person to read and edit.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    throw new Error('usage: npm run migration:generate -- PascalName');
  }
  const env = loadEnvironment();
  await runMigrations(env);
  const { up, down } = await pendingSchemaChanges(env);
  if (up.length === 0) {
    console.log('No changes: the entities and the migrations agree.');
    return;
  }
  const ts = Date.now();
  const esc = (q: string) => q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
  const body = `import { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${ts} implements MigrationInterface {
  name = '${name}${ts}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${up.map((q) => `    await queryRunner.query(\`${esc(q)}\`);`).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${down
  .reverse()
  .map((q) => `    await queryRunner.query(\`${esc(q)}\`);`)
  .join('\n')}
  }
}
`;
  const file = join(process.cwd(), 'migrations', `${ts}-${name}.ts`);
  writeFileSync(file, body);
  console.log(`wrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
