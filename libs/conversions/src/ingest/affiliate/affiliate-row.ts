import { OrderStatus } from '@siyu/commerce';
import { normalisePhone } from '@siyu/members';
import { FieldError } from '@siyu/platform';
import { DateTime } from 'luxon';
import { decimalToMinor, rateToBasisPoints } from '../money';

/** The report's columns (AliExpress Portals-style). Others in a file are ignored. */
export const AFFILIATE_COLUMNS = [
  'order_id',
  'sub_order_id',
  'order_status',
  'paid_time',
  'finished_time',
  'paid_amount',
  'currency',
  'commission_rate',
  'estimated_commission',
  'final_commission',
  'tracking_id',
  'custom_parameters',
] as const;
export type AffiliateColumn = (typeof AFFILIATE_COLUMNS)[number];

export const REQUIRED_COLUMNS: AffiliateColumn[] = [
  'order_id',
  'sub_order_id',
  'order_status',
  'paid_time',
  'paid_amount',
  'commission_rate',
  'estimated_commission',
];

/** The programme's statuses → the order's status in commerce. */
const STATUS_MAP: Record<string, OrderStatus> = {
  'payment completed': 'paid',
  'buyer confirmed receipt': 'paid',
  'order settlement': 'paid',
  'completed settlement': 'paid',
  invalid: 'cancelled',
  fullrefund: 'refunded',
  'full refund': 'refunded',
  refunded: 'refunded',
};
export const AFFILIATE_STATUSES = [
  'Payment Completed',
  'Buyer Confirmed Receipt',
  'Order Settlement',
  'Completed Settlement',
  'Invalid',
  'FullRefund',
];

/** custom_parameters keys Siyu reads: the link code and, when the link carried them, the buyer's identities. */
const LINK_KEYS = ['siyu_link', 'siyu_link_code'];
const IDENTITY_KEYS: Record<string, string> = {
  siyu_unionid: 'unionid',
  siyu_phone: 'phone',
  siyu_customer: 'storeCustomerId',
};
const LINK_CODE = /^[A-Za-z0-9_-]{1,32}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A header cell as a column name: `Sub Order ID` → sub_order_id. */
export const columnName = (cell: string) =>
  cell
    .trim()
    .replace(/^\ufeff/, '')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

export interface AffiliateRow {
  orderId: string;
  subOrderId: string;
  status: string;
  orderStatus: OrderStatus;
  paidAt: Date;
  finishedAt: Date | null;
  paidAmountMinor: string;
  currency: string;
  commissionRateBp: number;
  estimatedCommissionMinor: string;
  finalCommissionMinor: string | null;
  trackingId: string | null;
  linkCode: string | null;
  identities: Record<string, string>;
}

export interface RowContext {
  currency: string;
  timeZone: string;
}

/** A cell as text: strings trimmed, safe integers as digits; anything else (an id past 2^53 sent as a number) null. */
function cell(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
}

function time(v: string, zone: string): Date | null {
  const iso = DateTime.fromISO(v, { setZone: true });
  const dt =
    iso.isValid && /[zZ]|[+-]\d{2}:?\d{2}$/.test(v)
      ? iso
      : DateTime.fromFormat(v, 'yyyy-MM-dd HH:mm:ss', { zone });
  if (!dt.isValid) return null;
  const ms = dt.toMillis();
  return ms >= Date.UTC(2000, 0, 1) && ms <= Date.now() + 86_400_000 ? new Date(ms) : null;
}

/** `k=v&k2=v2` or a JSON object: the programme passes back what the link was generated with. */
export function parseCustomParameters(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  const t = v.trim();
  if (t.startsWith('{')) {
    try {
      const obj = JSON.parse(t) as unknown;
      if (obj && typeof obj === 'object' && !Array.isArray(obj))
        for (const [k, x] of Object.entries(obj)) if (typeof x === 'string') out[k] = x;
    } catch {
      // not JSON after all: no parameters Siyu reads
    }
    return out;
  }
  for (const [k, x] of new URLSearchParams(t)) out[k] = x;
  return out;
}

/**
 * One report row, validated: errors name the report's columns. Ids must come as text (or a safe
 * integer): a JSON number past 2^53 has already lost digits and is refused.
 */
export function parseAffiliateRow(
  raw: Record<string, unknown>,
  ctx: RowContext,
): { row: AffiliateRow } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const err = (field: string, message: string) => errors.push({ field, message });
  const get = (k: AffiliateColumn) => {
    const v = raw[k];
    if (typeof v === 'number' && (k === 'order_id' || k === 'sub_order_id') && !Number.isSafeInteger(v)) {
      err(k, `${k} must be sent as a string: as a JSON number it exceeds 2^53 and lost digits`);
      return null;
    }
    return cell(v);
  };
  const id = (k: 'order_id' | 'sub_order_id') => {
    const before = errors.length;
    const v = get(k);
    if (errors.length === before && (!v || !ID.test(v)))
      err(k, `${k} is required: 1–64 letters, digits, _ or -`);
    return v;
  };
  const orderId = id('order_id');
  const subOrderId = id('sub_order_id');

  const status = get('order_status');
  const orderStatus = status ? STATUS_MAP[status.toLowerCase().replace(/\s+/g, ' ')] : undefined;
  if (!status || !orderStatus)
    err('order_status', `order_status must be one of ${AFFILIATE_STATUSES.join(', ')}`);

  const currency = (get('currency') ?? ctx.currency).toUpperCase();
  if (currency !== ctx.currency) err('currency', `currency must be the brand's currency, ${ctx.currency}`);
  const money = (k: AffiliateColumn, required: boolean) => {
    const v = get(k);
    if (v === null) {
      if (required) err(k, `${k} is required`);
      return null;
    }
    const minor = decimalToMinor(v, ctx.currency);
    if (minor === null) err(k, `${k} must be a decimal amount such as 12.34`);
    return minor;
  };
  const paid = money('paid_amount', true);
  const estimated = money('estimated_commission', true);
  const final = money('final_commission', false);
  const rateText = get('commission_rate');
  const rate = rateText === null ? null : rateToBasisPoints(rateText);
  if (rate === null) err('commission_rate', 'commission_rate must be a percentage such as 7% or 7.5');

  const paidText = get('paid_time');
  const paidAt = paidText ? time(paidText, ctx.timeZone) : null;
  if (!paidAt)
    err(
      'paid_time',
      'paid_time must be YYYY-MM-DD HH:mm:ss (brand time zone) or ISO 8601 with an offset, from 2000 until now',
    );
  const finishedText = get('finished_time');
  const finishedAt = finishedText ? time(finishedText, ctx.timeZone) : null;
  if (finishedText && !finishedAt)
    err('finished_time', 'finished_time must be YYYY-MM-DD HH:mm:ss or ISO 8601 with an offset');

  const trackingId = get('tracking_id');
  if (trackingId && trackingId.length > 64) err('tracking_id', 'tracking_id must be at most 64 characters');
  const params = parseCustomParameters(get('custom_parameters') ?? '');
  const link = LINK_KEYS.map((k) => params[k]).find((x) => x !== undefined) ?? null;
  if (link !== null && !LINK_CODE.test(link))
    err('custom_parameters', 'siyu_link must be 1–32 letters, digits, _ or -');
  const identities: Record<string, string> = {};
  for (const [k, field] of Object.entries(IDENTITY_KEYS)) {
    const v = params[k];
    if (v === undefined) continue;
    if (field === 'phone' && normalisePhone(v) === null)
      err('custom_parameters', `${k} is not a valid phone number`);
    else identities[field] = v;
  }
  if (errors.length > 0) return { errors };
  return {
    row: {
      orderId: orderId as string,
      subOrderId: subOrderId as string,
      status: status as string,
      orderStatus: orderStatus as OrderStatus,
      paidAt: paidAt as Date,
      finishedAt,
      paidAmountMinor: paid as string,
      currency,
      commissionRateBp: rate as number,
      estimatedCommissionMinor: estimated as string,
      finalCommissionMinor: final,
      trackingId,
      linkCode: link,
      identities,
    },
  };
}

/**
 * The order commerce records for a row. Its external id is the sub-order id. An affiliate report
 * names no buyer: unless the link's parameters carried an identity, the buyer is a stand-in store
 * customer id per programme order, kept unmatched until attribution (the link's click) finds them.
 */
export function orderForRow(r: AffiliateRow, slug: string): Record<string, unknown> {
  const identities =
    Object.keys(r.identities).length > 0 ? r.identities : { storeCustomerId: `${slug}-buyer-${r.orderId}` };
  return {
    source: slug,
    externalId: r.subOrderId,
    identities,
    amountMinor: r.paidAmountMinor,
    currency: r.currency,
    status: r.orderStatus,
    placedAt: r.paidAt.toISOString(),
    ...(r.linkCode ? { linkCode: r.linkCode } : {}),
  };
}
