/** OpenAPI description of a rule node (the recursive shape class-validator cannot express). */
export const RULE_SCHEMA_DESCRIPTION =
  'A rule tree: a group {"all": [node…]} | {"any": [node…]} | {"not": node}, or a condition ' +
  '{"field": "<catalogue field>", "op": "<operator>", "value": …, "days"?: N}. ' +
  'See GET /v1/segments/fields for the fields and their operators. Groups nest at most 5 deep, ' +
  'at most 64 nodes in all.';

export const RULE_EXAMPLE = {
  all: [
    { field: 'source_channel', op: 'in', value: ['wecom'] },
    { field: 'tags', op: 'has_any', value: ['6f1c2a4e-8d5b-4b8e-9a51-3c2d1e0f9a77'] },
    {
      any: [
        { field: 'spend_within_days', op: 'gte', value: 50000, days: 365 },
        { field: 'rfm_group', op: 'in', value: ['champions', 'loyal'] },
      ],
    },
    { not: { field: 'consent', op: 'eq', value: 'opted_out' } },
  ],
};
