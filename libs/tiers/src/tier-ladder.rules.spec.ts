import { TierLadderPutDto } from './dto/tier-ladder-put.dto';
import { ladderErrors, matchTiers } from './tier-ladder.rules';

const ladder = (tiers: Array<{ name: string; threshold: number | string; id?: string }>) =>
  ({
    basis: 'paid_spend',
    graceDays: 0,
    reevaluation: 'daily',
    reevaluationTime: '03:00',
    tiers,
  }) as TierLadderPutDto;

describe('ladder rules', () => {
  it('accepts a well-formed ladder (thresholds as numbers or digit strings)', () => {
    expect(
      ladderErrors(
        ladder([
          { name: 'Member', threshold: 0 },
          { name: 'Silver', threshold: '100000' },
          { name: 'Gold', threshold: 9_007_199_254_740_991 },
          { name: 'Black', threshold: '900719925474099100' },
        ]),
      ),
    ).toEqual([]);
  });

  it('names each broken rule by its field path', () => {
    expect(
      ladderErrors(
        ladder([
          { name: 'Member', threshold: 10 },
          { name: 'Silver', threshold: 5 },
          { name: ' silver', threshold: 5 },
        ]),
      ).map((e) => e.field),
    ).toEqual(['tiers[0].threshold', 'tiers[1].threshold', 'tiers[2].threshold', 'tiers[2].name']);
  });

  it('matches tiers by id, else by unclaimed name (case-insensitive), else creates', () => {
    const existing = [
      { id: 'a', name: 'Member' },
      { id: 'b', name: 'Silver' },
      { id: 'c', name: 'Gold' },
    ];
    expect(
      matchTiers(existing, [
        { name: 'member' },
        { id: 'c', name: 'Silver' },
        { name: 'Silver' },
        { name: 'New' },
      ]),
    ).toEqual({ keptIds: ['a', 'c', 'b', null], errors: [] });
    // a name whose tier was claimed by id elsewhere is a new tier
    expect(matchTiers(existing, [{ name: 'Gold' }, { id: 'c', name: 'Top' }]).keptIds).toEqual([null, 'c']);
    expect(matchTiers(existing, [{ id: 'zzz', name: 'X' }]).errors).toEqual([
      { field: 'tiers[0].id', message: expect.any(String) },
    ]);
  });
});
