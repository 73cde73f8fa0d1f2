/** Progress for humans: stderr, so stdout carries nothing but the result line. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The one machine-readable line a bench prints on stdout. */
export function printResult(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `a / b`, or null when `b` is zero (a ratio against nothing means nothing). */
export function ratio(a: number, b: number, digits = 3): number | null {
  return b === 0 ? null : round(a / b, digits);
}
