import { equalityOps, int, numberOps, sideTablePredicate, text } from '../rule/predicates';
import { CompileContext, SegmentFieldDef } from '../rule/segment-field';
import { RFM_GROUPS } from '../rfm.constants';

const category = 'rfm';

const rfmRow = (ctx: CompileContext) => (pred: string) =>
  `SELECT 1 FROM member_rfm rfm WHERE rfm.member_id = ${ctx.member}.id AND rfm.brand_id = ${ctx.brand} AND ${pred}`;

const score = (name: string, column: string, what: string): SegmentFieldDef => ({
  name,
  category,
  description: `${what} quintile score 1–5 (5 is best); members without a paid order have none`,
  ops: numberOps(int(1, 5)),
  compile: (c, ctx) => sideTablePredicate(rfmRow(ctx), `rfm.${column}`, c.op, c.value, ctx, 'int'),
});

/** The RFM fields of the catalogue (from `member_rfm`, recomputed nightly and on demand). */
export const RFM_FIELDS: SegmentFieldDef[] = [
  score('rfm_r', 'r', 'Recency'),
  score('rfm_f', 'f', 'Frequency'),
  score('rfm_m', 'm', 'Monetary'),
  {
    name: 'rfm_group',
    category,
    description: `RFM group: ${RFM_GROUPS.join(', ')}`,
    ops: equalityOps(text(RFM_GROUPS)),
    compile: (c, ctx) => sideTablePredicate(rfmRow(ctx), 'rfm.rfm_group', c.op, c.value, ctx, 'text'),
  },
];
