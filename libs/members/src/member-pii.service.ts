import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@siyu/platform';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';

/** Numbers without a country prefix are read as mainland China numbers (13812345678). */
export const DEFAULT_PHONE_REGION = 'CN';

/** E.164 form of a phone number, or null when it is not a valid number. */
export function normalisePhone(input: string): string | null {
  try {
    const parsed = parsePhoneNumberWithError(input.trim(), DEFAULT_PHONE_REGION);
    return parsed.isValid() ? parsed.number : null;
  } catch {
    return null;
  }
}

/** `+8613812345678` → `+86138****5678`: enough to recognise, not enough to dial. */
export function maskPhone(e164: string | null): string | null {
  if (!e164) return null;
  try {
    const p = parsePhoneNumberWithError(e164);
    const national = p.nationalNumber;
    const head = national.slice(0, Math.min(3, Math.max(0, national.length - 6)));
    const tail = national.slice(-4);
    return `+${p.countryCallingCode}${head}${'*'.repeat(Math.max(1, national.length - head.length - tail.length))}${tail}`;
  } catch {
    return `${e164.slice(0, 3)}****${e164.slice(-2)}`;
  }
}

/**
 * Keyed digests of personal identifiers. A phone is matched by HMAC-SHA256 of its E.164 form under
 * a server secret (PII_HMAC_SECRET): equal numbers find each other, the table alone reveals none.
 */
@Injectable()
export class MemberPiiService {
  private readonly key: string;

  constructor(config: AppConfig) {
    this.key = config.piiHmacSecret;
  }

  phoneDigest(e164: string): string {
    return createHmac('sha256', this.key).update(`phone:${e164}`).digest('hex');
  }
}
