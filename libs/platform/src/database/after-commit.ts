import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

type Callback = () => void | Promise<void>;
interface Pending {
  /** The transaction depth the callback was registered at (1 = the outer transaction). */
  depth: number;
  fn: Callback;
}

/**
 * Runs code after the transaction that a manager belongs to commits, and never if it rolls back:
 * domain events must not announce changes that did not happen. Outside a transaction the callback
 * runs at once. Callbacks run in registration order; one that throws is logged and does not stop
 * the others (the commit is already done, the caller cannot undo it).
 */
@Injectable()
export class AfterCommit implements OnModuleInit, EntitySubscriberInterface {
  private readonly logger = new Logger(AfterCommit.name);
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  onModuleInit(): void {
    if (!this.ds.subscribers.includes(this)) this.ds.subscribers.push(this);
  }

  async run(manager: EntityManager, fn: Callback): Promise<void> {
    const qr = manager.queryRunner;
    if (!qr || !qr.isTransactionActive) {
      await this.invoke(fn);
      return;
    }
    const list = this.pending.get(qr) ?? [];
    list.push({ depth: (qr as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 1, fn });
    this.pending.set(qr, list);
  }

  async afterTransactionCommit(event: TransactionCommitEvent): Promise<void> {
    const qr = event.queryRunner;
    // A released savepoint commits nothing yet: wait for the outer COMMIT.
    if (qr.isTransactionActive) return;
    const list = this.pending.get(qr);
    if (!list) return;
    this.pending.delete(qr);
    for (const p of list) await this.invoke(p.fn);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const qr = event.queryRunner;
    const list = this.pending.get(qr);
    if (!list) return;
    const depth = (qr as QueryRunner & { transactionDepth?: number }).transactionDepth ?? 0;
    const kept = qr.isTransactionActive ? list.filter((p) => p.depth <= depth) : [];
    if (kept.length > 0) this.pending.set(qr, kept);
    else this.pending.delete(qr);
  }

  private async invoke(fn: Callback): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error({ err }, 'an after-commit callback failed');
    }
  }
}
