import { parse } from 'lossless-json';
import { exactId, linkCodeOf, mapShopifyOrder, mapShopifyRefund, shopifyField } from './shopify-order.mapper';

const order = (over = '') =>
  parse(`{"id": 820982911946154508123, "currency": "CNY", "total_price": "256.00", "processed_at": "2026-11-20T10:15:00+08:00",
    "customer": {"id": 9007199254740993123, "phone": "+86 139 1234 5678"},
    "discount_codes": [{"code": "SUMMER-20"}, {"code": "SUMMER-20"}, {"code": "VIP"}],
    "line_items": [{"id": 1, "sku": "", "variant_id": 808950810, "title": "Tea", "quantity": 2, "price": "128.00"}]${over}}`);

describe('shopify mapping', () => {
  it('keeps ids above 2^53 digit for digit and never reads them as JS numbers', () => {
    const o = order() as Record<string, unknown>;
    expect(exactId(o.id)).toBe('820982911946154508123');
    expect(exactId('123')).toBe('123');
    expect(exactId(1.5)).toBeNull();
    const mapped = mapShopifyOrder(o, 'shopify');
    expect(mapped).toEqual({
      order: {
        externalId: '820982911946154508123',
        identities: { storeCustomerId: '9007199254740993123', phone: '+86 139 1234 5678' },
        amountMinor: '25600',
        currency: 'CNY',
        status: 'paid',
        placedAt: '2026-11-20T10:15:00+08:00',
        items: [{ sku: 'variant-808950810', name: 'Tea', quantity: 2, unitPriceMinor: '12800' }],
        couponCodes: ['SUMMER-20', 'VIP'],
      },
    });
  });

  it('gives a guest a stand-in store customer id and drops an invalid phone', () => {
    const mapped = mapShopifyOrder(
      parse(
        '{"id": 77, "currency": "CNY", "total_price": "1.00", "created_at": "2026-11-20T10:15:00Z", "phone": "n/a"}',
      ),
      'shop',
    );
    expect('order' in mapped && mapped.order.identities).toEqual({ storeCustomerId: 'shop-guest-77' });
  });

  it('names Shopify’s fields in errors', () => {
    const mapped = mapShopifyOrder(
      parse('{"id": "x", "currency": "CNY", "total_price": 256, "line_items": [{"price": "1.001"}]}'),
      's',
    );
    expect('errors' in mapped && mapped.errors.map((e) => e.field)).toEqual([
      'id',
      'total_price',
      'processed_at',
      'line_items[0].price',
    ]);
    expect(shopifyField('items[3].unitPriceMinor')).toBe('line_items[3].price');
    expect(shopifyField('identities.phone')).toBe('customer.phone');
  });

  it('reads the link code from note_attributes first, then the landing site', () => {
    expect(
      linkCodeOf({
        note_attributes: [{ name: 'siyu_link', value: 'abc_1' }],
        landing_site: '/?siyu_link=zzz',
      }),
    ).toBe('abc_1');
    expect(linkCodeOf({ landing_site: '/p/tea?utm_source=x&siyu_link=k7Qm2' })).toBe('k7Qm2');
    expect(linkCodeOf({ landing_site: '/?siyu_link=not%20valid' })).toBeNull();
  });

  it('sums a refund’s successful refund transactions in exact minor units', () => {
    const r =
      parse(`{"id": 929361462000000001, "order_id": 820982911946154508, "created_at": "2026-11-21T09:00:00+08:00",
      "transactions": [{"kind": "refund", "status": "success", "amount": "100.10", "currency": "CNY"},
                       {"kind": "refund", "status": "failure", "amount": "50.00", "currency": "CNY"},
                       {"kind": "refund", "status": "success", "amount": "0.20", "currency": "CNY"}]}`);
    expect(mapShopifyRefund(r, 'CNY')).toEqual({
      refund: {
        id: '929361462000000001',
        orderId: '820982911946154508',
        amountMinor: '10030',
        createdAt: '2026-11-21T09:00:00+08:00',
        note: null,
      },
    });
  });
});
