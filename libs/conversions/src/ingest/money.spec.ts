import { decimalToMinor, rateToBasisPoints } from './money';

describe('money', () => {
  it('turns decimals into exact minor units by the currency’s digits', () => {
    expect(decimalToMinor('12.5', 'CNY')).toBe('1250');
    expect(decimalToMinor('1999.00', 'USD')).toBe('199900');
    expect(decimalToMinor('0', 'CNY')).toBe('0');
    expect(decimalToMinor('1500', 'JPY')).toBe('1500');
    expect(decimalToMinor('1500.00', 'JPY')).toBe('1500');
    expect(decimalToMinor('0.1', 'USD')).toBe('10');
    expect(decimalToMinor('999999999999999.99', 'CNY')).toBe('99999999999999999');
  });

  it('refuses floats it would have to round, signs and exponents', () => {
    expect(decimalToMinor('1.005', 'USD')).toBeNull();
    expect(decimalToMinor('1.5', 'JPY')).toBeNull();
    expect(decimalToMinor('-1.00', 'USD')).toBeNull();
    expect(decimalToMinor('1e3', 'USD')).toBeNull();
    expect(decimalToMinor('', 'USD')).toBeNull();
  });

  it('reads commission rates as basis points', () => {
    expect(rateToBasisPoints('7%')).toBe(700);
    expect(rateToBasisPoints('7.5')).toBe(750);
    expect(rateToBasisPoints('0.05 %')).toBe(5);
    expect(rateToBasisPoints('100%')).toBe(10_000);
    expect(rateToBasisPoints('101%')).toBeNull();
    expect(rateToBasisPoints('abc')).toBeNull();
  });
});
