/** The result line every bench prints: its name first, then whatever it measured. */
export type BenchResult = { bench: string } & Record<string, unknown>;

/** What a `<name>.bench.ts` module exports as default; `bench/run.ts` loads and runs it. */
export interface Bench {
  description: string;
  /** `args` are the command-line arguments after the bench name. */
  run(args: readonly string[]): Promise<BenchResult>;
}
