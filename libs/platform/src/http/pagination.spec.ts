import { ValidationException } from '../errors/domain.exception';
import { decodeCursor, encodeCursor, toPage } from './pagination';

describe('keyset pagination helpers', () => {
  it('round-trips a cursor', () => {
    expect(decodeCursor(encodeCursor(['2026-01-01T00:00:00.000Z', 'abc']), 2)).toEqual([
      '2026-01-01T00:00:00.000Z',
      'abc',
    ]);
  });

  it('refuses cursors it did not issue', () => {
    expect(() => decodeCursor('%%%', 1)).toThrow(ValidationException);
    expect(() => decodeCursor(encodeCursor(['a']), 2)).toThrow(ValidationException);
    expect(() => decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 1)).toThrow(ValidationException);
  });

  it('builds a page from limit + 1 rows', () => {
    const rows = [{ id: 3 }, { id: 2 }, { id: 1 }];
    const page = toPage(
      rows,
      2,
      (r) => [r.id],
      (r) => r.id,
    );
    expect(page.items).toEqual([3, 2]);
    expect(decodeCursor(page.nextCursor ?? undefined, 1)).toEqual([2]);
    expect(
      toPage(
        rows,
        3,
        (r) => [r.id],
        (r) => r.id,
      ).nextCursor,
    ).toBeNull();
  });
});
