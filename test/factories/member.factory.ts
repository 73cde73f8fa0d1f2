import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { MemberRecord, MembersService, TagsService } from '@siyu/members';
import { Actor } from '@siyu/platform';
import { MemberUpsertDto } from '../../libs/members/src/dto/member-upsert.dto';
import { TestBrand } from './brand.factory';

export const ownerActor = (brand: TestBrand): Actor => ({
  brandId: brand.id,
  actorType: 'operator',
  actorId: brand.owner.id,
  requestId: null,
});

let seq = 0;
/** A unique mainland China mobile number, as a person would type it (no prefix). */
export const uniquePhone = () =>
  `139${String(Date.now() % 10_000_000)
    .padStart(4, '0')
    .slice(-4)}${String(++seq % 10_000).padStart(4, '0')}`;

/** A member of the brand, created through the service (as POST /v1/members would). */
export async function createMember(
  app: INestApplicationContext,
  brand: TestBrand,
  dto: Partial<MemberUpsertDto> = {},
): Promise<MemberRecord> {
  const { member } = await app.get(MembersService).upsert(ownerActor(brand), {
    identities: { unionid: `u-${randomUUID()}` },
    nickname: `Member ${randomUUID().slice(0, 6)}`,
    ...dto,
  } as MemberUpsertDto);
  return member;
}

export async function createTag(
  app: INestApplicationContext,
  brand: TestBrand,
  name = `tag-${randomUUID().slice(0, 8)}`,
): Promise<{ id: string; name: string }> {
  const tag = await app.get(TagsService).create(ownerActor(brand), { name });
  return { id: tag.id, name: tag.name };
}

/** A CSV file's text from a header and rows (values quoted when needed). */
export function csv(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cell = (v: string | number | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}
