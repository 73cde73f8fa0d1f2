import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { distributionCtes } from './repurchase.report';

/**
 * The repurchase report's distributions find their percentiles from a histogram by whole day and
 * sort only the rows of the days that hold them. Their figures must be exactly those of
 * `percentile_cont … WITHIN GROUP (ORDER BY days)` over all the rows, and the members per day those
 * of `floor(days)`: checked here on the Postgres that runs the report, value for value (float8, no
 * tolerance), on the shapes that break a histogram (empty, one row, two rows, one day, ties across
 * a day boundary, NULLs, negative and fractional days, many days).
 */
describe('repurchase distributions (int)', () => {
  let app: INestApplicationContext;
  let ds: DataSource;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule] }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
  });
  afterAll(() => app.close());

  const cases: Array<[string, string]> = [
    ['no rows', `SELECT 1::float8 WHERE false`],
    ['one row', `SELECT 3.7::float8`],
    ['two rows on different days', `SELECT unnest(ARRAY[0.2, 5.9]::float8[])`],
    ['three rows on one day', `SELECT unnest(ARRAY[5.2, 5.9, 5.1]::float8[])`],
    ['NULLs beside values', `SELECT unnest(ARRAY[NULL, 1.5, NULL, 2.5, 7.25]::float8[])`],
    ['only NULLs', `SELECT NULL::float8 FROM generate_series(1, 3)`],
    ['whole days, ties everywhere', `SELECT (g % 7)::float8 FROM generate_series(1, 1001) g`],
    ['ties across a day boundary', `SELECT (1 + (g % 3) * 0.5)::float8 FROM generate_series(1, 400) g`],
    ['negative and fractional days', `SELECT (g * 0.37 - 40)::float8 FROM generate_series(1, 999) g`],
    [
      'two years of days, skewed',
      `SELECT power((g * 7919 % 10007) / 10007.0, 3) * 730 FROM generate_series(1, 20000) g`,
    ],
    ['an even count', `SELECT (g * 104729 % 1000) / 7.0 FROM generate_series(1, 5000) g`],
  ];

  it.each(cases)(
    '%s: count, median, p75 and members per day as percentile_cont and floor give them',
    async (_n, rows) => {
      const [expected] = await ds.query(
        `WITH d AS (SELECT x::float8 AS days FROM (${rows}) s(x))
       SELECT count(*)::int AS n, percentile_cont(ARRAY[0.5, 0.75]::float8[]) WITHIN GROUP (ORDER BY days) AS p,
              COALESCE((SELECT json_agg(json_build_array(day, n) ORDER BY day)
                          FROM (SELECT floor(days) AS day, count(*)::int AS n FROM d GROUP BY 1) h), '[]') AS days
         FROM d`,
      );
      const [actual] = await ds.query(
        `WITH sample AS MATERIALIZED (SELECT x::float8 AS days FROM (${rows}) s(x)), ${distributionCtes('sample')}
       SELECT COALESCE((SELECT sum(n) FROM sample_days), 0)::int AS n, (SELECT p FROM sample_p) AS p,
              COALESCE((SELECT json_agg(json_build_array(day, n::int) ORDER BY day) FROM sample_days), '[]') AS days`,
      );
      expect(actual).toEqual(expected);
    },
  );
});
