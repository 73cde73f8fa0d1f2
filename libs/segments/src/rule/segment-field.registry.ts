import { Injectable } from '@nestjs/common';
import { MEMBER_FIELDS } from '../fields/member-fields';
import { ORDER_FIELDS } from '../fields/order-fields';
import { RFM_FIELDS } from '../fields/rfm-fields';
import { SegmentFieldDef } from './segment-field';

const NAME = /^[a-z][a-z0-9_]{1,47}$/;

/** The fields a rule may name. Later libs add theirs (group chats, coupons, campaigns) on init. */
@Injectable()
export class SegmentFieldRegistry {
  private readonly fields = new Map<string, SegmentFieldDef>();

  constructor() {
    for (const def of [...MEMBER_FIELDS, ...ORDER_FIELDS, ...RFM_FIELDS]) this.register(def);
  }

  /** Adds a field; its name must be new (a lib cannot silently replace another's field). */
  register(def: SegmentFieldDef): void {
    if (!NAME.test(def.name)) throw new Error(`segment field name "${def.name}" must be snake_case`);
    if (this.fields.has(def.name)) throw new Error(`segment field "${def.name}" is already registered`);
    if (Object.keys(def.ops).length === 0) throw new Error(`segment field "${def.name}" has no operators`);
    this.fields.set(def.name, def);
  }

  get(name: string): SegmentFieldDef | undefined {
    return this.fields.get(name);
  }

  all(): SegmentFieldDef[] {
    return [...this.fields.values()];
  }
}
