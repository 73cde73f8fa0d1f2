import { UTM_KEYS, Utm } from './conversions.constants';

export const MAX_DESTINATION_LENGTH = 2048;

/** A host name as an allowlist holds it: lower case, punycode, no trailing dot, no port. */
export const DOMAIN_PATTERN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** Lower-cases, trims, drops a trailing dot and converts an IDN to punycode (as URL does for hosts). */
export function normaliseDomain(raw: string): string {
  const d = raw.trim().toLowerCase().replace(/\.$/, '');
  try {
    return new URL(`http://${d}`).hostname;
  } catch {
    return d;
  }
}

/** `host` is on the list when it is one of the domains or a subdomain of one. */
export function hostAllowed(host: string, domains: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return domains.some((d) => h === d || h.endsWith(`.${d}`));
}

/** Why a destination is refused, or null when it may be a link's target. */
export function destinationProblem(raw: string, domains: readonly string[]): string | null {
  if (raw.length > MAX_DESTINATION_LENGTH) return `must be at most ${MAX_DESTINATION_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http or https URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (!hostAllowed(url.hostname, domains))
    return `host ${url.hostname} is not on the brand's allowed domains`;
  return null;
}

/**
 * The destination with the link's UTM parameters appended. The destination's own query is kept
 * byte for byte (a parameter it already has is not overridden); the fragment stays last.
 */
export function withUtm(destination: string, utm: Utm): string {
  const hashAt = destination.indexOf('#');
  const base = hashAt < 0 ? destination : destination.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : destination.slice(hashAt);
  const own = new URL(destination).searchParams;
  const add = new URLSearchParams();
  for (const k of UTM_KEYS) {
    const v = utm[k];
    if (v && !own.has(`utm_${k}`)) add.append(`utm_${k}`, v);
  }
  const extra = add.toString();
  if (!extra) return destination;
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${extra}${hash}`;
}
