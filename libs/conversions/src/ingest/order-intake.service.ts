import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  BatchItemResult,
  OrderRefundCreateDto,
  OrdersService,
  PreparedOrders,
  RefundResult,
} from '@siyu/commerce';
import { Actor, DomainException, FieldError } from '@siyu/platform';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

const ATTEMPTS = 4;

/** A transaction lost to a concurrent change (commerce's retry signal) or a deadlock: run it again. */
function retryable(err: unknown): boolean {
  if (err instanceof DomainException) return err.code === 'ORDER_CONCURRENT_CHANGE';
  return (
    err instanceof QueryFailedError &&
    ['40P01', '40001'].includes(
      (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code ?? '',
    )
  );
}

/**
 * The one way ingested orders reach commerce: OrdersService.recordBatch / refund (validation,
 * identity matching, aggregates, tiers, coupon redemption and attribution hooks all run there).
 * This only adds the transaction the caller's own rows share, retried as a whole.
 */
@Injectable()
export class OrderIntakeService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly orders: OrdersService,
  ) {}

  /** `fn` in a transaction, run again from scratch when it lost to a concurrent change. */
  async transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ds.transaction(fn);
      } catch (err) {
        if (attempt >= ATTEMPTS || !retryable(err)) throw err;
      }
    }
  }

  /**
   * Validates and normalises orders before the transaction that records them opens (commerce's
   * rules): the transaction then holds its locks only for the database work, and a retry does not
   * validate again.
   */
  prepare(orders: Array<Record<string, unknown>>): PreparedOrders {
    return this.orders.prepareBatch(orders);
  }

  /** Records orders (raw, or prepared) in the caller's transaction; per-order outcomes, failures included. */
  record(
    m: EntityManager,
    actor: Actor,
    orders: Array<Record<string, unknown>> | PreparedOrders,
  ): Promise<BatchItemResult[]> {
    return this.orders.recordBatch(actor, orders, { manager: m });
  }

  /**
   * All or nothing: every order recorded, or the first failure thrown (its status) with every
   * failing order's fields under `<path>[i].…`, so the transaction rolls back and nothing changes.
   */
  async recordAll(
    m: EntityManager,
    actor: Actor,
    orders: Array<Record<string, unknown>> | PreparedOrders,
    fieldOf: (index: number, field: string) => string,
  ): Promise<Array<Exclude<BatchItemResult, { outcome: 'failed' }>>> {
    const results = await this.record(m, actor, orders);
    const failed = results.filter(
      (r): r is Extract<BatchItemResult, { outcome: 'failed' }> => r.outcome === 'failed',
    );
    if (failed.length > 0) {
      const first = failed[0].error;
      const errors: FieldError[] = failed.flatMap((f) =>
        (f.error.errors?.length ? f.error.errors : [{ field: '', message: f.error.message }]).map((e) => ({
          field: fieldOf(f.index, stripIndex(e.field)),
          message: e.message,
        })),
      );
      throw new DomainException(
        first.code,
        first.status,
        failed.length === 1 ? first.message : `${failed.length} orders were refused; nothing was recorded`,
        errors,
      );
    }
    return results as Array<Exclude<BatchItemResult, { outcome: 'failed' }>>;
  }

  /** The order's id under (source, external id), read only; null when it was never recorded. */
  async findOrderId(brandId: string, source: string, externalId: string): Promise<string | null> {
    const [row]: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM orders WHERE brand_id = $1 AND source = $2 AND external_id = $3`,
      [brandId, source, externalId],
    );
    return row?.id ?? null;
  }

  /** A refund through commerce, validated as POST /v1/orders/:id/refunds validates it. */
  async refund(
    actor: Actor,
    orderId: string,
    input: Record<string, unknown>,
    at: string,
  ): Promise<RefundResult> {
    const dto = plainToInstance(OrderRefundCreateDto, input);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0)
      throw new DomainException(
        'VALIDATION_FAILED',
        400,
        'The refund has invalid fields',
        errors.map((e) => ({
          field: `${at}.${e.property}`,
          message: Object.values(e.constraints ?? {})[0] ?? 'invalid',
        })),
      );
    return this.orders.refund(actor, orderId, dto);
  }
}

/** commerce names batch fields `orders[i].x`; callers name them their own way. */
function stripIndex(field: string): string {
  return field.replace(/^orders\[\d+\]\.?/, '');
}
