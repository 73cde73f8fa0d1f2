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
