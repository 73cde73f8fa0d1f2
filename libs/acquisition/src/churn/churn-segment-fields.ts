import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  BOOL,
  CheckedCondition,
  CompileContext,
  int,
  range,
  SegmentFieldDef,
  SegmentFieldRegistry,
} from '@siyu/segments';

const category = 'acquisition';
const DAY_MS = 86_400_000;

/** The member had WeCom 1:1 contacts and none is active now (every staff relationship ended). */
export function lostContactSql(member: string): string {
  return `(EXISTS (SELECT 1 FROM community_contact_follows f WHERE f.member_id = ${member}.id AND f.status = 'ended')
    AND NOT EXISTS (SELECT 1 FROM community_contact_follows f WHERE f.member_id = ${member}.id AND f.status = 'active'))`;
}

/** When the member's last relationship ended (meaningful only with lostContactSql). */
const lostSinceSql = (member: string) =>
  `(SELECT max(f.ended_at) FROM community_contact_follows f WHERE f.member_id = ${member}.id AND f.status = 'ended')`;

const lostContact: SegmentFieldDef = {
  name: 'lost_contact',
  category,
  description:
    'The member deleted (or was deleted by) every staff member they were a WeCom contact of: eq true|false',
  ops: { eq: BOOL },
  compile: (c, ctx) => (c.value === true ? lostContactSql(ctx.member) : `NOT ${lostContactSql(ctx.member)}`),
};

const DAYS = int(0, 3650);

/** Whole days since the contact was lost: gte/lte/between (only members who lost contact match). */
const daysSinceLost: SegmentFieldDef = {
  name: 'days_since_lost_contact',
  category,
  description:
    'Whole days since the member lost their last WeCom contact: gte, lte, between (only lost members match)',
  ops: { gte: DAYS, lte: DAYS, between: range(DAYS) },
  compile: (c: CheckedCondition, ctx: CompileContext) => {
    const t = lostSinceSql(ctx.member);
    const cut = (days: number) => ctx.bind(new Date(ctx.now.getTime() - days * DAY_MS), 'timestamptz');
    // days ≥ n ⇔ t ≤ now − n·24h ; days ≤ n ⇔ t > now − (n+1)·24h
    const atLeast = (n: number) => `${t} <= ${cut(n)}`;
    const atMost = (n: number) => `${t} > ${cut(n + 1)}`;
    const lost = lostContactSql(ctx.member);
    if (c.op === 'gte') return `(${lost} AND ${atLeast(c.value as number)})`;
    if (c.op === 'lte') return `(${lost} AND ${atMost(c.value as number)})`;
    const [from, to] = c.value as [number, number];
    return `(${lost} AND ${atLeast(from)} AND ${atMost(to)})`;
  },
};

export const CHURN_SEGMENT_FIELDS = [lostContact, daysSinceLost];

/** Makes "lost contact" a segment condition (the segments lib's extension point). */
@Injectable()
export class ChurnSegmentFields implements OnModuleInit {
  constructor(private readonly registry: SegmentFieldRegistry) {}

  onModuleInit(): void {
    for (const field of CHURN_SEGMENT_FIELDS) this.registry.register(field);
  }
}
