import { INestApplicationContext } from '@nestjs/common';
import { MemberTokenService } from '@siyu/members';
import { DataSource } from 'typeorm';
import { TestBrand } from './brand.factory';
import { ownerActor } from './member.factory';

/** A draw body for POST /v1/draws, open from an hour ago for a day unless told otherwise. */
export function drawBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    name: '双十一抽奖',
    rules: '每人每天 3 次；实物奖品 7 天内寄出',
    startsAt: new Date(now - 3_600_000).toISOString(),
    endsAt: new Date(now + 86_400_000).toISOString(),
    fallbackWeight: 50,
    prizes: [
      { name: '保温杯', weight: 10, stock: 5, kind: 'physical', note: '7 天内寄出' },
      { name: '贴纸', weight: 40, kind: 'physical' },
    ],
    ...over,
  };
}

/** `n` members of the brand, straight into the table (nicknames only). */
export async function insertMembers(
  app: INestApplicationContext,
  brand: { id: string },
  n: number,
): Promise<string[]> {
  const rows: Array<{ id: string }> = await app.get(DataSource).query(
    `INSERT INTO members (brand_id, nickname, source_channel)
       SELECT $1, 'draw member ' || i, 'wecom' FROM generate_series(1, $2) i RETURNING id`,
    [brand.id, n],
  );
  return rows.map((r) => r.id);
}

/** A member token, minted by the service as POST /v1/members/:id/tokens would. */
export async function memberToken(
  app: INestApplicationContext,
  brand: TestBrand,
  memberId: string,
): Promise<string> {
  return (await app.get(MemberTokenService).issue(ownerActor(brand), memberId, 3600)).token;
}
