import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
import { withValidationMetadataMemo } from './batch-validation';
import { OrderCreateDto } from './order-create.dto';

const OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
};

const good = (i: number) => ({
  source: 'store',
  externalId: `SO-${i}`,
  identities: { storeCustomerId: `c-${i}` },
  amountMinor: String(1000 + i),
  currency: 'CNY',
  status: 'paid',
  placedAt: '2025-05-01T10:00:00+08:00',
  items: [{ sku: `SKU-${i}`, quantity: 1, unitPriceMinor: '1000' }],
  couponCodes: ['SUMMER'],
});

/** Orders with errors at every level: the order, its identities, its items, unknown fields. */
const inputs: Array<Record<string, unknown>> = [
  good(0),
  { ...good(1), amountMinor: '1.5', extra: true },
  { ...good(2), identities: { storeCustomerId: '', openid: 'o-1' } },
  { ...good(3), items: [{ sku: '', quantity: 0, unitPriceMinor: 'x', colour: 'red' }, { sku: 'ok' }] },
  { ...good(4), couponCodes: ['A', 'A', 7], placedAt: 'yesterday', status: 'shipped' },
  good(5),
];

const validateAll = () =>
  inputs.map((raw) => validateSync(plainToInstance(OrderCreateDto, raw), OPTIONS).map(shape));

function shape(e: ValidationError): unknown {
  return { property: e.property, constraints: e.constraints, children: e.children?.map(shape) };
}

describe('withValidationMetadataMemo', () => {
  it('gives exactly the errors class-validator gives without it, at every level', () => {
    const plain = validateAll();
    expect(plain[0]).toEqual([]);
    expect(plain.slice(1, 5).every((errors) => errors.length > 0)).toBe(true);
    expect(withValidationMetadataMemo(validateAll)).toEqual(plain);
    // and again inside one pass, from the remembered lookups
    expect(withValidationMetadataMemo(() => [validateAll(), validateAll()])).toEqual([plain, plain]);
  });

  it('looks each class up once per pass, and puts the storage back, also when the pass throws', () => {
    const storage = getMetadataStorage();
    const lookup = storage.getTargetValidationMetadatas;
    const grouping = storage.groupByPropertyName;
    const asked: unknown[] = [];
    storage.getTargetValidationMetadatas = function (...args) {
      asked.push(args[0]);
      return lookup.apply(this, args);
    };
    try {
      withValidationMetadataMemo(() => {
        validateAll();
        validateAll();
      });
      // OrderCreateDto, MemberIdentitiesDto, OrderItemDto: once each, not once per object.
      expect(asked).toHaveLength(3);
      const counting = storage.getTargetValidationMetadatas;
      expect(() =>
        withValidationMetadataMemo(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(storage.getTargetValidationMetadatas).toBe(counting);
      expect(storage.groupByPropertyName).toBe(grouping);
    } finally {
      storage.getTargetValidationMetadatas = lookup;
    }
  });
});
