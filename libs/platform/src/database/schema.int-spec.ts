import { loadEnvironment } from '../config/app-config';
import { pendingSchemaChanges } from './migrator';

describe('migrations and entities (int)', () => {
  it('agree: a fresh migration:generate would write nothing', async () => {
    const env = loadEnvironment();
    const { up } = await pendingSchemaChanges(env);
    expect(up).toEqual([]);
  });
});
