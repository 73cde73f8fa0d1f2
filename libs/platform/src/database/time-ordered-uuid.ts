/**
 * SQL for a time-ordered UUID in the layout of RFC 9562's version 7, for rows written in bulk: the
 * statement's time in Unix milliseconds (48 bits), the version, `counter` (an integer expression
 * of the row's place in the statement, 24 bits: its high 12 bits, the variant, its low 12 bits) and
 * 48 random bits (from `gen_random_uuid`). Within a statement the ids ascend with the counter (for
 * counters below 2^24), and later statements' ids sort after earlier ones', so an index keyed by
 * such ids takes a bulk write at its right edge, on a few hot pages, instead of on a random leaf
 * page per row (each of which, with `full_page_writes`, goes whole to the WAL on its first change
 * after a checkpoint). Rows of one statement with the same counter, or of two statements in the
 * same millisecond, are told apart by the random bits alone; nothing reads meaning from the ids.
 */
export function timeOrderedUuidSql(counter: string): string {
  return `(lpad(to_hex((extract(epoch FROM statement_timestamp()) * 1000)::bigint), 12, '0') || '7'
  || lpad(to_hex(((${counter}) >> 12) & 4095), 3, '0') || '8' || lpad(to_hex((${counter}) & 4095), 3, '0')
  || right(gen_random_uuid()::text, 12))::uuid`;
}
