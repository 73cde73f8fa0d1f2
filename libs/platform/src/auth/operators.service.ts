import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ConflictException, NotFoundException } from '../errors/domain.exception';
import { describeConstraint } from '../errors/pg-errors';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { AuthService } from './auth.service';
import { OperatorCreateDto, OperatorResponseDto, OperatorUpdateDto } from './dto/operator.dto';
import { Operator } from './entities/operator.entity';
import { hashPassword } from './password-hasher';
import { Actor } from './principal';

describeConstraint(
  'operators_email_key',
  'OPERATOR_EMAIL_TAKEN',
  'An operator with this email already exists',
  'email',
);

@Injectable()
export class OperatorsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<Operator>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const qb = this.ds
      .getRepository(Operator)
      .createQueryBuilder('o')
      .where('o.brand_id = :brandId', { brandId })
      .orderBy('o.email', 'ASC')
      .addOrderBy('o.id', 'ASC')
      .limit(limit + 1);
    if (after) qb.andWhere('(o.email, o.id) > (:email, :id)', { email: after[0], id: after[1] });
    const rows = await qb.getMany();
    return toPage(
      rows,
      limit,
      (o) => [o.email, o.id],
      (o) => o,
    );
  }

  async get(brandId: string, id: string, manager: EntityManager = this.ds.manager): Promise<Operator> {
    const op = await manager.findOneBy(Operator, { brandId, id });
    if (!op) throw new NotFoundException('operator', id);
    return op;
  }

  async create(actor: Actor, dto: OperatorCreateDto): Promise<Operator> {
    const passwordHash = await hashPassword(dto.password);
    return this.ds.transaction(async (m) => {
      const op = await m.save(
        m.create(Operator, {
          brandId: actor.brandId,
          email: dto.email,
          name: dto.name,
          role: dto.role,
          passwordHash,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'operator.create',
        entityType: 'operator',
        entityId: op.id,
        after: OperatorResponseDto.from(op),
      });
      return op;
    });
  }

  async update(actor: Actor, id: string, dto: OperatorUpdateDto): Promise<Operator> {
    const passwordHash = dto.password ? await hashPassword(dto.password) : undefined;
    return this.ds.transaction(async (m) => {
      // Lock the brand's owners so two demotions cannot both pass the last-owner check.
      await m.query(`SELECT id FROM operators WHERE brand_id = $1 AND role = 'owner' FOR UPDATE`, [
        actor.brandId,
      ]);
      const before = await this.get(actor.brandId, id, m);
      const losesOwner =
        before.role === 'owner' && ((dto.role && dto.role !== 'owner') || dto.disabled === true);
      if (losesOwner) await this.assertAnotherOwner(m, actor.brandId, id);
      const patch: Partial<Operator> = {};
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.role !== undefined) patch.role = dto.role;
      if (passwordHash) patch.passwordHash = passwordHash;
      if (dto.disabled !== undefined)
        patch.disabledAt = dto.disabled ? (before.disabledAt ?? new Date()) : null;
      await m.update(Operator, { id }, patch);
      if (dto.disabled || passwordHash || (dto.role && dto.role !== before.role))
        await this.auth.revokeAllFor(m, id);
      const after = await this.get(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'operator.update',
        entityType: 'operator',
        entityId: id,
        before: OperatorResponseDto.from(before),
        after: { ...OperatorResponseDto.from(after), ...(passwordHash ? { passwordChanged: true } : {}) },
      });
      return after;
    });
  }

  /** Removing an operator disables the account (its audit history keeps pointing at it). */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.update(actor, id, { disabled: true });
  }

  private async assertAnotherOwner(m: EntityManager, brandId: string, exceptId: string): Promise<void> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM operators WHERE brand_id = $1 AND role = 'owner' AND disabled_at IS NULL AND id <> $2`,
      [brandId, exceptId],
    );
    if (n === 0) throw new ConflictException('LAST_OWNER', 'A brand must keep at least one active owner');
  }
}
