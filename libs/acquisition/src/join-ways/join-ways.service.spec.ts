import { routeTo } from './join-ways.service';

describe('routeTo (where a join way sends the next scan)', () => {
  const pool = ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'];

  it('routes to the first five groups that are not full, in pool order', () => {
    expect(routeTo(pool, new Set(), false)).toEqual({
      active: ['g1', 'g2', 'g3', 'g4', 'g5'],
      status: 'active',
    });
    expect(routeTo(pool, new Set(['g1', 'g3']), false)).toEqual({
      active: ['g2', 'g4', 'g5', 'g6', 'g7'],
      status: 'active',
    });
  });

  it('keeps the last group when every group is full: still active with auto_create_room, else full', () => {
    const full = new Set(pool);
    expect(routeTo(pool, full, true)).toEqual({ active: ['g7'], status: 'active' });
    expect(routeTo(pool, full, false)).toEqual({ active: ['g7'], status: 'full' });
  });
});
