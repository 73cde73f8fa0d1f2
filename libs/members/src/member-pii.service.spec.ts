import fc from 'fast-check';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { isCalendarDate } from './dto/validators';
import { maskPhone, MemberPiiService, normalisePhone, phoneForms } from './member-pii.service';
import { AppConfig } from '@siyu/platform';

describe('phone normalisation and masking', () => {
  it.each([
    ['13812345678', '+8613812345678'],
    ['138 1234 5678', '+8613812345678'],
    ['+86 138-1234-5678', '+8613812345678'],
    ['008613812345678', '+8613812345678'],
    ['+1 415 555 2671', '+14155552671'],
    ['010-12345678', '+861012345678'],
  ])('reads %s as %s', (input, e164) => {
    expect(normalisePhone(input)).toBe(e164);
  });

  it.each(['12345', '+8612345678901', 'not a phone', '', '+'])('refuses %p', (input) => {
    expect(normalisePhone(input)).toBeNull();
  });

  it("answers for mainland mobiles exactly as libphonenumber's full parse does", () => {
    const reference = (input: string) => {
      try {
        const parsed = parsePhoneNumberWithError(input.trim(), 'CN');
        return parsed.isValid() ? { e164: parsed.number, hint: maskPhone(parsed.number) } : null;
      } catch {
        return null;
      }
    };
    const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));
    // every 1xx prefix, valid or not, in the forms the fast path reads and a few it leaves alone
    const number = fc
      .tuple(fc.integer({ min: 100, max: 199 }), digits(4), digits(4), fc.integer({ min: 0, max: 7 }))
      .map(([head, middle, tail, form]) => {
        const [a, b, c] = [String(head), middle, tail];
        return [
          `${a}${b}${c}`,
          `+86${a}${b}${c}`,
          `${a} ${b} ${c}`,
          `+86 ${a} ${b} ${c}`,
          `${a}-${b}-${c}`,
          `+86-${a}-${b}-${c}`,
          ` ${a}${b}${c}\u3000`,
          `0086${a}${b}${c}`,
        ][form];
      });
    fc.assert(
      fc.property(number, (input) => {
        expect(phoneForms(input)).toEqual(reference(input));
      }),
      { numRuns: 5_000 },
    );
  });

  it('masks the middle of the national number', () => {
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskPhone('+14155552671')).toBe('+1415***2671');
    expect(maskPhone(null)).toBeNull();
  });

  it('digests equal numbers equally and different keys differently', () => {
    const config = (secret?: string) => ({ piiHmacSecret: secret ?? 'k'.repeat(32) }) as unknown as AppConfig;
    const a = new MemberPiiService(config());
    expect(a.phoneDigest('+8613812345678')).toBe(a.phoneDigest('+8613812345678'));
    expect(a.phoneDigest('+8613812345678')).not.toBe(a.phoneDigest('+8613812345679'));
    expect(new MemberPiiService(config('x'.repeat(32))).phoneDigest('+8613812345678')).not.toBe(
      a.phoneDigest('+8613812345678'),
    );
  });
});

describe('calendar dates', () => {
  it.each([
    ['1990-01-02', true],
    ['2000-02-29', true],
    ['1999-02-29', false],
    ['1990-13-01', false],
    ['1899-12-31', false],
    ['2999-01-01', false],
    ['1990-1-2', false],
    [19900102, false],
  ])('%p → %p', (v, ok) => {
    expect(isCalendarDate(v)).toBe(ok);
  });
});
