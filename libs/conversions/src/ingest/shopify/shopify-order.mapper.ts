import { normalisePhone } from '@siyu/members';
import { FieldError } from '@siyu/platform';
import { isLosslessNumber } from 'lossless-json';
import { decimalToMinor } from '../money';

type Obj = Record<string, unknown>;

/** note_attributes names and landing-site query parameters that carry a Siyu link code. */
export const LINK_CODE_KEYS = ['siyu_link', 'siyu_link_code'];
const LINK_CODE = /^[A-Za-z0-9_-]{1,32}$/;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An id as Shopify sends it: a JSON integer (parsed losslessly, often above 2^53) or a string of
 * digits, as its exact digits. Null for anything else. Never goes through a JS number.
 */
export function exactId(v: unknown): string | null {
  if (isLosslessNumber(v)) {
    const s = v.toString();
    return /^\d{1,30}$/.test(s) ? s : null;
  }
  return typeof v === 'string' && /^\d{1,30}$/.test(v) ? v : null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** The Siyu link code from note_attributes, else from the landing site's query string. */
export function linkCodeOf(order: Obj): string | null {
  const notes = Array.isArray(order.note_attributes) ? order.note_attributes : [];
  for (const n of notes)
    if (
      isObj(n) &&
      LINK_CODE_KEYS.includes(String(n.name)) &&
      typeof n.value === 'string' &&
      LINK_CODE.test(n.value)
    )
      return n.value;
  const landing = text(order.landing_site);
  if (landing) {
    try {
      const params = new URL(landing, 'https://shop.invalid').searchParams;
      for (const k of LINK_CODE_KEYS) {
        const v = params.get(k);
        if (v && LINK_CODE.test(v)) return v;
      }
    } catch {
      // a landing site that is not a URL carries no code
    }
  }
  return null;
}

/**
 * Shopify's `orders/paid` payload → commerce's order (OrderCreateDto's shape). Customer id →
 * storeCustomerId, a valid phone → phone; a guest with neither is recorded under a stand-in store
 * customer id of its own, unmatched until attribution or a merge finds its member.
 * Errors name Shopify's fields.
 */
export function mapShopifyOrder(order: unknown, slug: string): { order: Obj } | { errors: FieldError[] } {
  if (!isObj(order)) return { errors: [{ field: 'body', message: 'must be a Shopify order object' }] };
  const errors: FieldError[] = [];
  const id = exactId(order.id);
  if (!id) errors.push({ field: 'id', message: 'must be the order id (an integer)' });
  const currency = text(order.currency);
  if (!currency || !/^[A-Z]{3}$/.test(currency))
    errors.push({ field: 'currency', message: 'must be an ISO 4217 code' });
  const amount =
    currency && typeof order.total_price === 'string' ? decimalToMinor(order.total_price, currency) : null;
  if (amount === null)
    errors.push({
      field: 'total_price',
      message: 'must be a decimal amount in the order currency, as a string',
    });
  const placedAt = text(order.processed_at) ?? text(order.created_at);
  if (!placedAt) errors.push({ field: 'processed_at', message: 'processed_at or created_at is required' });

  const items: Obj[] = [];
  const lines = Array.isArray(order.line_items) ? order.line_items : [];
  lines.forEach((li, i) => {
    if (!isObj(li)) return errors.push({ field: `line_items[${i}]`, message: 'must be an object' });
    const price = currency && typeof li.price === 'string' ? decimalToMinor(li.price, currency) : null;
    if (price === null) errors.push({ field: `line_items[${i}].price`, message: 'must be a decimal amount' });
    const qty = isLosslessNumber(li.quantity) ? Number(li.quantity.toString()) : li.quantity;
    const sku =
      text(li.sku) ??
      (exactId(li.variant_id) ? `variant-${exactId(li.variant_id)}` : null) ??
      (exactId(li.product_id) ? `product-${exactId(li.product_id)}` : null) ??
      `line-${exactId(li.id) ?? i}`;
    items.push({
      sku: sku.slice(0, 64),
      ...(text(li.title) ? { name: (text(li.title) as string).slice(0, 200) } : {}),
      quantity: qty,
      unitPriceMinor: price ?? '0',
    });
  });

  const codes = (Array.isArray(order.discount_codes) ? order.discount_codes : [])
    .map((d) => (isObj(d) ? text(d.code) : null))
    .filter((c): c is string => c !== null);
  const customer = isObj(order.customer) ? order.customer : {};
  const customerId = exactId(customer.id);
  const phone = [
    customer.phone,
    order.phone,
    isObj(order.billing_address) ? order.billing_address.phone : null,
  ]
    .map(text)
    .find((p) => p !== null && normalisePhone(p) !== null);
  if (errors.length > 0) return { errors };

  const identities: Obj = {};
  if (customerId) identities.storeCustomerId = customerId;
  if (phone) identities.phone = phone;
  if (!customerId && !phone) identities.storeCustomerId = `${slug}-guest-${id}`;
  const linkCode = linkCodeOf(order);
  return {
    order: {
      externalId: id,
      identities,
      amountMinor: amount,
      currency,
      status: 'paid',
      placedAt,
      items,
      couponCodes: [...new Set(codes)],
      ...(linkCode ? { linkCode } : {}),
    },
  };
}

/** Commerce's field names in Shopify's terms, for errors about a mapped order. */
export function shopifyField(field: string): string {
  return field
    .replace(/^amountMinor/, 'total_price')
    .replace(/^placedAt/, 'processed_at')
    .replace(/^couponCodes/, 'discount_codes')
    .replace(/^externalId/, 'id')
    .replace(/^identities\.storeCustomerId/, 'customer.id')
    .replace(/^identities\.phone/, 'customer.phone')
    .replace(/^items\[(\d+)\]\.unitPriceMinor/, 'line_items[$1].price')
    .replace(/^items/, 'line_items');
}

/**
 * `refunds/create` → the refund: its id, the order's id, the amount of its successful refund
 * transactions (exact minor units), when, and the note. Amount 0 (a restock-only refund) is null.
 */
export function mapShopifyRefund(
  refund: unknown,
  currency: string,
):
  | {
      refund: {
        id: string;
        orderId: string;
        amountMinor: string | null;
        createdAt: string | null;
        note: string | null;
      };
    }
  | { errors: FieldError[] } {
  if (!isObj(refund)) return { errors: [{ field: 'body', message: 'must be a Shopify refund object' }] };
  const errors: FieldError[] = [];
  const id = exactId(refund.id);
  if (!id) errors.push({ field: 'id', message: 'must be the refund id (an integer)' });
  const orderId = exactId(refund.order_id);
  if (!orderId) errors.push({ field: 'order_id', message: 'must be the order id (an integer)' });
  let total = 0n;
  const txs = Array.isArray(refund.transactions) ? refund.transactions : [];
  txs.forEach((t, i) => {
    if (!isObj(t) || t.kind !== 'refund' || t.status !== 'success') return;
    const cur = text(t.currency) ?? currency;
    const minor = typeof t.amount === 'string' ? decimalToMinor(t.amount, cur) : null;
    if (minor === null || cur !== currency)
      errors.push({ field: `transactions[${i}].amount`, message: `must be a decimal amount in ${currency}` });
    else total += BigInt(minor);
  });
  if (errors.length > 0) return { errors };
  return {
    refund: {
      id: id as string,
      orderId: orderId as string,
      amountMinor: total > 0n ? total.toString() : null,
      createdAt: text(refund.processed_at) ?? text(refund.created_at),
      note: text(refund.note)?.slice(0, 200) ?? null,
    },
  };
}

/** The order a `refunds/create` payload belongs to, as its exact digits. */
export function refundOrderId(refund: unknown): string | null {
  return isObj(refund) ? exactId(refund.order_id) : null;
}
