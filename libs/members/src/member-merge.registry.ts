import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface MemberMergeContext {
  brandId: string;
  survivorId: string;
  mergedId: string;
}

/** Moves one table's rows from the merged member to the survivor (e.g. keeping a unique key whole). */
export type MemberMergeHandler = (manager: EntityManager, ctx: MemberMergeContext) => Promise<void>;

/**
 * The tables whose rows belong to a member. A merge finds every column with a foreign key to
 * `members(id)` in the catalogue and moves its rows with a plain UPDATE; a lib registers a handler
 * here when a plain UPDATE would break one of its unique keys (e.g. one redemption per member),
 * or a table without a foreign key (a partitioned ledger) by giving its member column.
 */
@Injectable()
export class MemberMergeRegistry {
  private readonly handlers = new Map<string, MemberMergeHandler>();
  private readonly extraColumns = new Map<string, string>();

  /** A custom move for `table` (the catalogue's name, e.g. `member_tags`). */
  register(table: string, handler: MemberMergeHandler): void {
    this.handlers.set(table, handler);
  }

  /** A table that holds member ids without a foreign key; its rows are moved with a plain UPDATE. */
  registerColumn(table: string, column: string): void {
    this.extraColumns.set(table, column);
  }

  handlerFor(table: string): MemberMergeHandler | undefined {
    return this.handlers.get(table);
  }

  columns(): Array<{ table: string; column: string }> {
    return [...this.extraColumns].map(([table, column]) => ({ table, column }));
  }
}
