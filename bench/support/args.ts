/**
 * Reads a numeric `--name value` or `--name=value` flag; `fallback` when absent. Throws on a value
 * that is not a positive number so a typo does not silently run the defaults.
 */
export function numberFlag(args: readonly string[], name: string, fallback: number): number {
  const flag = `--${name}`;
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === flag) raw = args[i + 1];
    else if (arg?.startsWith(`${flag}=`)) raw = arg.slice(flag.length + 1);
  }
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${flag} must be a positive number, got "${raw}"`);
  return value;
}

/** Reads a string `--name value` or `--name=value` flag; undefined when absent. */
export function stringFlag(args: readonly string[], name: string): string | undefined {
  const flag = `--${name}`;
  let raw: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === flag) raw = args[i + 1];
    else if (arg?.startsWith(`${flag}=`)) raw = arg.slice(flag.length + 1);
  }
  return raw;
}
