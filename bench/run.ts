import { readdirSync } from 'node:fs';
import { Bench, printResult } from './support';

const SUFFIX = '.bench.js';

/** Bench names, from the compiled `<name>.bench.js` files next to this one. */
function available(): string[] {
  return readdirSync(__dirname)
    .filter((f) => f.endsWith(SUFFIX))
    .map((f) => f.slice(0, -SUFFIX.length))
    .sort();
}

async function load(name: string): Promise<Bench> {
  const mod = (await import(`./${name}.bench`)) as { default: Bench };
  return mod.default;
}

/** `npm run bench -- <name> [flags]`: runs one bench and prints its JSON line; no name lists them. */
async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const names = available();
  if (name === undefined || name === '--help' || name === '-h') {
    console.log('usage: npm run bench -- <name> [--connections N] [--duration S]\n\nbenches:');
    for (const n of names) console.log(`  ${n.padEnd(20)} ${(await load(n)).description}`);
    return;
  }
  if (!names.includes(name)) {
    console.error(`unknown bench "${name}"; available: ${names.join(', ') || '(none)'}`);
    process.exitCode = 2;
    return;
  }
  const bench = await load(name);
  printResult(await bench.run(args));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
