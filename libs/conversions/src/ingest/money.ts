/** Minor-unit digits of an ISO 4217 currency (CNY 2, JPY 0, KWD 3), from the runtime's ICU data. */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * A decimal amount as senders write it (`"12.5"`, `"1999.00"`, `"0"`) in exact minor units, by
 * string arithmetic, never a float. Null for anything else: a sign, an exponent, more decimals than
 * the currency has (unless they are zeros), or more than 15 integer digits.
 */
export function decimalToMinor(value: string, currency: string): string | null {
  const m = /^(\d{1,15})(?:\.(\d{1,12}))?$/.exec(value.trim());
  if (!m) return null;
  const digits = currencyDigits(currency);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > digits) return null;
  return BigInt(m[1] + frac.padEnd(digits, '0')).toString();
}

/** A commission rate (`"7%"`, `"7.5"`, `"0.5 %"`) in basis points; null when it is not one. */
export function rateToBasisPoints(value: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?\s*%?$/.exec(value.trim());
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}
