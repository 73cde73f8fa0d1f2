import { discountFor } from './coupon-redemption.service';
import { checkTerms } from './coupon-templates.service';

describe('discountFor', () => {
  const fixed = {
    t_kind: 'fixed_amount' as const,
    amount_off_minor: '2000',
    percent_off: null,
    max_discount_minor: null,
  };
  const pct = {
    t_kind: 'percentage' as const,
    amount_off_minor: null,
    percent_off: 15,
    max_discount_minor: '3000',
  };
  const ship = {
    t_kind: 'free_shipping' as const,
    amount_off_minor: null,
    percent_off: null,
    max_discount_minor: '800',
  };

  it('takes a fixed amount off, never more than the cart', () => {
    expect(discountFor(fixed, 12_800n, 0n)).toBe(2_000n);
    expect(discountFor(fixed, 1_500n, 0n)).toBe(1_500n);
  });

  it('takes a percentage rounded down, up to the cap', () => {
    expect(discountFor(pct, 9_999n, 0n)).toBe(1_499n); // 1,499.85 → 1,499
    expect(discountFor(pct, 100_000n, 0n)).toBe(3_000n);
    expect(discountFor({ ...pct, max_discount_minor: null, percent_off: 100 }, 5_000n, 0n)).toBe(5_000n);
  });

  it('takes the shipping fee off, up to the cap', () => {
    expect(discountFor(ship, 10_000n, 600n)).toBe(600n);
    expect(discountFor(ship, 10_000n, 1_200n)).toBe(800n);
    expect(discountFor(ship, 10_000n, 0n)).toBe(0n);
  });
});

describe('checkTerms', () => {
  const fails = (t: object) => {
    try {
      checkTerms(t);
      return [];
    } catch (e) {
      return ((e as { errors: Array<{ field: string }> }).errors ?? []).map((x) => x.field);
    }
  };

  it('names the field of terms that do not fit together', () => {
    expect(fails({ kind: 'fixed_amount', amountOffMinor: null })).toEqual(['amountOffMinor']);
    expect(fails({ kind: 'fixed_amount', amountOffMinor: '100', maxDiscountMinor: '5' })).toEqual([
      'maxDiscountMinor',
    ]);
    expect(fails({ kind: 'percentage', percentOff: null })).toEqual(['percentOff']);
    expect(fails({ kind: 'free_shipping', percentOff: 10 })).toEqual(['percentOff']);
    expect(
      fails({
        kind: 'fixed_amount',
        amountOffMinor: '100',
        validFrom: new Date('2026-12-01T00:00:00Z'),
        validUntil: new Date('2026-12-01T00:00:00Z'),
      }),
    ).toEqual(['validUntil']);
    expect(fails({ kind: 'percentage', percentOff: 20, maxDiscountMinor: '500' })).toEqual([]);
  });
});
