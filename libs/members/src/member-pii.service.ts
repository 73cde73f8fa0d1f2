import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '@siyu/platform';
import { Metadata, MetadataJson } from 'libphonenumber-js/core';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/metadata.max.json';

/** Numbers without a country prefix are read as mainland China numbers (13812345678). */
export const DEFAULT_PHONE_REGION = 'CN';

/**
 * The form most numbers in an import take: a mainland mobile (1[3-689] and nine more digits), bare
 * or after +86, grouped 3-4-4 by spaces or dashes. For these libphonenumber strips no prefix (its
 * national and international prefixes for China start 0, 11, 12 or 179), so its answer is the
 * number itself, valid exactly when the national number matches the metadata's general pattern
 * and its mobile pattern and length. `isMainlandMobile` checks that with libphonenumber's own
 * metadata, about 30 times faster than its full parse; anything else, or a miss, takes the full
 * parse. member-pii.service.spec.ts holds the two to the same answers.
 */
const MAINLAND_MOBILE_FORM = /^(?:\+86[ -]?)?(1[3-689]\d)[ -]?(\d{4})[ -]?(\d{4})$/;

/** The slice of libphonenumber's numbering plan (a public class) that its typings leave out. */
interface NumberingPlanPatterns {
  nationalNumberPattern(): string;
  type(type: 'MOBILE'): { pattern(): string; possibleLengths(): number[] } | undefined;
}

const isMainlandMobile: (national: string) => boolean = (() => {
  const metadata = new Metadata(maxMetadata as MetadataJson);
  metadata.selectNumberingPlan(DEFAULT_PHONE_REGION);
  const plan = metadata.numberingPlan as unknown as NumberingPlanPatterns;
  const mobile = plan.type('MOBILE');
  if (!mobile) return () => false;
  const general = new RegExp(`^(?:${plan.nationalNumberPattern()})$`);
  const pattern = new RegExp(`^(?:${mobile.pattern()})$`);
  const lengths = mobile.possibleLengths();
  return (national) => lengths.includes(national.length) && general.test(national) && pattern.test(national);
})();

export interface PhoneForms {
  e164: string;
  /** `maskPhone(e164)`. */
  hint: string;
}

/** A phone number's E.164 form and its masked hint, or null when it is not a valid number. */
export function phoneForms(input: string): PhoneForms | null {
  const trimmed = input.trim();
  const mobile = MAINLAND_MOBILE_FORM.exec(trimmed);
  if (mobile) {
    const [, head, middle, tail] = mobile;
    if (isMainlandMobile(`${head}${middle}${tail}`))
      return { e164: `+86${head}${middle}${tail}`, hint: `+86${head}****${tail}` };
  }
  try {
    const parsed = parsePhoneNumberWithError(trimmed, DEFAULT_PHONE_REGION);
    return parsed.isValid() ? { e164: parsed.number, hint: maskPhone(parsed.number) as string } : null;
  } catch {
    return null;
  }
}

/** E.164 form of a phone number, or null when it is not a valid number. */
export function normalisePhone(input: string): string | null {
  return phoneForms(input)?.e164 ?? null;
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
