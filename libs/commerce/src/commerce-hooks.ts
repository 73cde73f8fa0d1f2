import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Why members' order aggregates changed. */
export type OrdersChangeCause = 'order' | 'refund' | 'status' | 'match' | 'merge';

export interface MemberOrdersChanged {
  brandId: string;
  /** Members whose aggregates (order count, spend, first/last order) were just recomputed. */
  memberIds: string[];
  cause: OrdersChangeCause;
}

/**
 * Runs inside the transaction that changed the orders, after the members' aggregates were
 * recomputed, so a listener's writes (a tier upgrade) commit or roll back with the order.
 */
export type MemberOrdersListener = (manager: EntityManager, change: MemberOrdersChanged) => Promise<void>;

/** Orders that were just created, moved status (refunded, cancelled) or refunded, by id. */
export interface OrdersChanged {
  brandId: string;
  orderIds: string[];
  cause: 'created' | 'status' | 'refund';
}

/** Runs inside the order's transaction (coupons redeem an order's codes, roll them back on refund). */
export type OrdersListener = (manager: EntityManager, change: OrdersChanged) => Promise<void>;

/**
 * Where other libs hook into order changes without commerce depending on them (tiers registers its
 * upgrade check from its module's onModuleInit).
 */
@Injectable()
export class CommerceHooks {
  private readonly listeners: MemberOrdersListener[] = [];
  private readonly orderListeners: OrdersListener[] = [];

  onMemberOrdersChanged(listener: MemberOrdersListener): void {
    this.listeners.push(listener);
  }

  async memberOrdersChanged(manager: EntityManager, change: MemberOrdersChanged): Promise<void> {
    if (change.memberIds.length === 0) return;
    for (const listener of this.listeners) await listener(manager, change);
  }

  onOrdersChanged(listener: OrdersListener): void {
    this.orderListeners.push(listener);
  }

  async ordersChanged(manager: EntityManager, change: OrdersChanged): Promise<void> {
    if (change.orderIds.length === 0) return;
    for (const listener of this.orderListeners) await listener(manager, change);
  }
}
