import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { hashPassword } from '../auth/password-hasher';
import { Operator } from '../auth/entities/operator.entity';
import { Actor, systemActor } from '../auth/principal';
import { NotFoundException, ValidationException } from '../errors/domain.exception';
import { isTimeZone } from '../http/validators';
import { BrandResponseDto, BrandUpdateDto } from './dto/brand.dto';
import { Brand } from './entities/brand.entity';

export interface BrandCreate {
  name: string;
  ownerEmail: string;
  ownerName?: string;
  password: string;
  timeZone?: string;
  currency?: string;
}

export const MIN_PASSWORD_LENGTH = 10;

@Injectable()
export class BrandsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(brandId: string, manager: EntityManager = this.ds.manager): Promise<Brand> {
    const brand = await manager.findOneBy(Brand, { id: brandId });
    if (!brand) throw new NotFoundException('brand', brandId);
    return brand;
  }

  async update(actor: Actor, dto: BrandUpdateDto): Promise<Brand> {
    return this.ds.transaction(async (m) => {
      const before = await m.findOne(Brand, {
        where: { id: actor.brandId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!before) throw new NotFoundException('brand', actor.brandId);
      const start = dto.quietHoursStart !== undefined ? dto.quietHoursStart : before.quietHoursStart;
      const end = dto.quietHoursEnd !== undefined ? dto.quietHoursEnd : before.quietHoursEnd;
      if ((start === null) !== (end === null)) {
        throw new ValidationException([
          {
            field: start === null ? 'quietHoursStart' : 'quietHoursEnd',
            message: 'quiet hours need both a start and an end, or neither',
          },
        ]);
      }
      await m.update(Brand, { id: actor.brandId }, { ...dto });
      const after = await this.get(actor.brandId, m);
      await this.audit.record(m, actor, {
        action: 'brand.update',
        entityType: 'brand',
        entityId: actor.brandId,
        before: BrandResponseDto.from(before),
        after: BrandResponseDto.from(after),
      });
      return after;
    });
  }

  /** A new tenant with its first owner (CLI `brand:create`, the demo, test factories). */
  async createWithOwner(input: BrandCreate): Promise<{ brand: Brand; owner: Operator }> {
    const errors = [];
    if (!input.name?.trim()) errors.push({ field: 'name', message: 'name is required' });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.ownerEmail ?? ''))
      errors.push({ field: 'ownerEmail', message: 'ownerEmail must be an email' });
    if ((input.password ?? '').length < MIN_PASSWORD_LENGTH)
      errors.push({
        field: 'password',
        message: `password must be at least ${MIN_PASSWORD_LENGTH} characters`,
      });
    if (input.timeZone && !isTimeZone(input.timeZone))
      errors.push({ field: 'timeZone', message: 'timeZone must be an IANA time zone' });
    if (errors.length) throw new ValidationException(errors);
    const passwordHash = await hashPassword(input.password);
    return this.ds.transaction(async (m) => {
      const brand = await m.save(
        m.create(Brand, {
          name: input.name.trim(),
          ...(input.timeZone ? { timeZone: input.timeZone } : {}),
          ...(input.currency ? { currency: input.currency } : {}),
        }),
      );
      const owner = await m.save(
        m.create(Operator, {
          brandId: brand.id,
          email: input.ownerEmail.trim().toLowerCase(),
          name: input.ownerName ?? 'Owner',
          passwordHash,
          role: 'owner',
        }),
      );
      const actor = systemActor(brand.id);
      await this.audit.record(m, actor, {
        action: 'brand.create',
        entityType: 'brand',
        entityId: brand.id,
        after: BrandResponseDto.from(brand),
      });
      await this.audit.record(m, actor, {
        action: 'operator.create',
        entityType: 'operator',
        entityId: owner.id,
        after: { id: owner.id, email: owner.email, role: owner.role },
      });
      return { brand, owner };
    });
  }
}
