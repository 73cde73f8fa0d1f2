import { FieldError } from '@siyu/platform';

/**
 * The documented header of a member CSV. Columns may come in any order and any subset, as long as
 * at least one identity column is present; unknown columns are refused. Values:
 * - phone: E.164 or a mainland China number (13812345678);
 * - openid needs app_id on the same row;
 * - source_channel: wechat_oa, wecom, wechat_channels, douyin, xiaohongshu, bilibili, taobao, store,
 *   import (default), other;
 * - birthday: YYYY-MM-DD; joined_at: ISO 8601 (without an offset it is read in the brand's time zone);
 * - tags: tag names separated by "|" (created when missing); consent: opted_in or opted_out.
 */
export const IMPORT_COLUMNS = [
  'external_userid',
  'unionid',
  'openid',
  'app_id',
  'phone',
  'store_customer_id',
  'nickname',
  'source_channel',
  'city',
  'birthday',
  'tags',
  'consent',
  'joined_at',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const IMPORT_IDENTITY_COLUMNS: ImportColumn[] = [
  'external_userid',
  'unionid',
  'openid',
  'phone',
  'store_customer_id',
];

export const IMPORT_HEADER_EXAMPLE = IMPORT_COLUMNS.slice(0, 13).join(',');

export interface ImportHeader {
  /** Column name → its index in each record. */
  index: Partial<Record<ImportColumn, number>>;
  width: number;
}

export function checkHeader(cells: string[]): { header: ImportHeader; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const index: ImportHeader['index'] = {};
  const known = new Set<string>(IMPORT_COLUMNS);
  cells.forEach((raw, i) => {
    const name = raw.trim().toLowerCase();
    if (!known.has(name)) {
      errors.push({
        field: `file.header[${i}]`,
        message: `unknown column "${raw.slice(0, 60)}"; accepted columns: ${IMPORT_COLUMNS.join(', ')}`,
      });
    } else if (index[name as ImportColumn] !== undefined) {
      errors.push({ field: `file.header[${i}]`, message: `column "${name}" appears twice` });
    } else {
      index[name as ImportColumn] = i;
    }
  });
  if (errors.length === 0 && !IMPORT_IDENTITY_COLUMNS.some((c) => index[c] !== undefined)) {
    errors.push({
      field: 'file.header',
      message: `the header needs at least one identity column: ${IMPORT_IDENTITY_COLUMNS.join(', ')}`,
    });
  }
  return { header: { index, width: cells.length }, errors };
}

/**
 * The characters JavaScript's `String.prototype.trim` removes (ECMAScript WhiteSpace and
 * LineTerminator): the import trims every value with it, in JavaScript or, as `sqlTrimmed`, in SQL.
 */
export const TRIMMED_CHARS =
  '\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';

const TRIMMED_CHARS_SQL = `E'${[...TRIMMED_CHARS].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}'`;

/** SQL for `expr` trimmed as JavaScript trims, an empty result read as NULL. */
export const sqlTrimmed = (expr: string): string => `NULLIF(btrim(${expr}, ${TRIMMED_CHARS_SQL}), '')`;

export const PHONE_INVALID =
  'not a valid phone number (use +<country><number>, or a mainland China number such as 13812345678)';
