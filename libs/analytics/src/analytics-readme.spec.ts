import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cohortsQuery } from './reports/cohorts.report';
import { funnelQuery } from './reports/funnel.report';
import { groupChatsQuery } from './reports/group-chats.report';
import { repurchaseQuery } from './reports/repurchase.report';
import { rfmQuery } from './reports/rfm.report';
import { tierMovementQuery } from './reports/tier-movement.report';

/** Whitespace-insensitive, so the README may wrap lines. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('README "Analytics"', () => {
  const readme = flat(readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8'));

  it.each([
    ['repurchase', repurchaseQuery(null, []).sql],
    ['cohorts', cohortsQuery(null, []).sql],
    ['rfm', rfmQuery(null, []).sql],
    ['tier movement', tierMovementQuery([]).sql],
    ['group chats', groupChatsQuery([]).sql],
    ['campaign funnel', funnelQuery([]).sql],
  ])('prints the %s statement exactly as it runs', (_name, sql) => {
    expect(readme).toContain(flat(sql));
  });
});
