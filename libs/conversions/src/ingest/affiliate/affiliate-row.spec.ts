import { orderForRow, parseAffiliateRow, parseCustomParameters } from './affiliate-row';

const ctx = { currency: 'USD', timeZone: 'America/Los_Angeles' };
const base = {
  order_id: '3045678901234567',
  sub_order_id: '8123456789012345678',
  order_status: 'Payment Completed',
  paid_time: '2026-11-20 10:15:00',
  paid_amount: '25.60',
  commission_rate: '7.5%',
  estimated_commission: '1.92',
};

describe('affiliate report rows', () => {
  it('maps a row: statuses, exact money, zone-less times in the given zone, rate in basis points', () => {
    const parsed = parseAffiliateRow(
      { ...base, order_status: 'fullrefund', custom_parameters: 'siyu_link=k7Q&x=1' },
      ctx,
    );
    if (!('row' in parsed)) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.row).toMatchObject({
      orderStatus: 'refunded',
      paidAmountMinor: '2560',
      estimatedCommissionMinor: '192',
      commissionRateBp: 750,
      linkCode: 'k7Q',
      paidAt: new Date('2026-11-20T18:15:00.000Z'),
    });
    expect(orderForRow(parsed.row, 'aliexpress')).toEqual({
      source: 'aliexpress',
      externalId: '8123456789012345678',
      identities: { storeCustomerId: 'aliexpress-buyer-3045678901234567' },
      amountMinor: '2560',
      currency: 'USD',
      status: 'refunded',
      placedAt: '2026-11-20T18:15:00.000Z',
      linkCode: 'k7Q',
    });
  });

  it('reads custom parameters as a query string or a JSON object', () => {
    expect(parseCustomParameters('siyu_link=a&siyu_unionid=u1')).toEqual({
      siyu_link: 'a',
      siyu_unionid: 'u1',
    });
    expect(parseCustomParameters('{"siyu_link":"b","n":1}')).toEqual({ siyu_link: 'b' });
    expect(parseCustomParameters('{broken')).toEqual({});
  });

  it('names every bad column', () => {
    const parsed = parseAffiliateRow(
      {
        ...base,
        sub_order_id: Number('8123456789012345678'),
        order_status: 'Shipped',
        paid_amount: '1.234',
        paid_time: '20/11/2026',
      },
      ctx,
    );
    expect('errors' in parsed && parsed.errors.map((e) => e.field)).toEqual([
      'sub_order_id',
      'order_status',
      'paid_amount',
      'paid_time',
    ]);
  });
});
