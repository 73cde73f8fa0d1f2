import { INestApplicationContext } from '@nestjs/common';
import { Role } from '@siyu/platform';
import { ApiKeysService } from '../../libs/platform/src/auth/api-keys.service';
import { TestBrand } from './brand.factory';

export interface TestApiKey {
  id: string;
  key: string;
  role: Role;
}

export async function createApiKey(
  app: INestApplicationContext,
  brand: TestBrand,
  role: Role = 'operator',
): Promise<TestApiKey> {
  const { key, secret } = await app
    .get(ApiKeysService)
    .create(
      { brandId: brand.id, actorType: 'operator', actorId: brand.owner.id, requestId: null },
      { name: `key ${role}`, role },
    );
  return { id: key.id, key: secret, role };
}
