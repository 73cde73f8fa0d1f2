import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember, uniquePhone } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;

/** Written here, independently of the lib: hex HMAC-SHA256 over "<timestamp>.<body>". */
const signGeneric = (secret: string, ts: string, body: string) =>
  createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
/** Shopify's construction: base64 HMAC-SHA256 over the raw body. */
const signShopify = (secret: string, body: string) =>
  createHmac('sha256', secret).update(body).digest('base64');
const now = () => String(Math.floor(Date.now() / 1000));

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
let idSeq = 0;
/**
 * The Shopify fixture with fresh ids, edited as text so the big integers are never parsed: a
 * distinct 19-digit order id (above 2^53) per call, and the given customer id.
 */
function shopifyOrderText(orderId: string, customerId: string, extra: Array<[string, string]> = []): string {
  let text = fixture('shopify-orders-paid.json')
    .replaceAll('820982911946154508', orderId)
    .replaceAll('9007199254740993123', customerId);
  for (const [from, to] of extra) text = text.replaceAll(from, to);
  return text;
}
const bigId = () => `${9_100_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(++idSeq)}`;

describe('orders in: sources and signed webhooks (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let auth: Headers;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await createBrand(t.app);
    auth = { authorization: `Bearer ${brand.owner.token}` };
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const createSource = async (kind: string, slug: string, headers = auth) =>
    (
      await t
        .http()
        .post('/v1/order-sources')
        .set(headers)
        .send({ kind, name: `${kind} ${slug}`, slug })
        .expect(201)
    ).body;
  const slug = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;

  const postGeneric = (sourceId: string, body: string, headers: Headers) =>
    t
      .http()
      .post(`/v1/webhooks/orders/${sourceId}`)
      .set({ 'content-type': 'application/json', ...headers })
      .send(body);
  const signedGeneric = (
    sourceId: string,
    secret: string,
    body: object | string,
    extra: Headers = {},
    ts = now(),
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return postGeneric(sourceId, text, {
      'x-siyu-timestamp': ts,
      'x-siyu-signature': `sha256=${signGeneric(secret, ts, text)}`,
      ...extra,
    });
  };
  const postShopify = (
    sourceId: string,
    secret: string,
    topic: string,
    text: string,
    webhookId: string = randomUUID(),
    hmac?: string,
  ) =>
    t
      .http()
      .post(`/v1/webhooks/shopify/${sourceId}`)
      .set({
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-webhook-id': webhookId,
        'x-shopify-hmac-sha256': hmac ?? signShopify(secret, text),
        'x-shopify-shop-domain': 'siyu-tea.myshopify.com',
      })
      .send(text);

  const order = (overrides: Record<string, unknown> = {}) => ({
    externalId: `W-${randomUUID()}`,
    identities: { phone: uniquePhone() },
    amountMinor: '12800',
    currency: 'CNY',
    status: 'paid',
    placedAt: '2026-11-20T10:15:00+08:00',
    items: [{ sku: 'TEA-1', quantity: 1, unitPriceMinor: '12800' }],
    ...overrides,
  });
  const ordersFrom = (source: string) =>
    ds.query(
      `SELECT external_id, member_id, status, refunded_minor::text AS refunded FROM orders WHERE brand_id = $1 AND source = $2`,
      [brand.id, source],
    );

  describe('order sources', () => {
    it('creates a generic source showing its secret once; sealed at rest; audited without it', async () => {
      const s = await createSource('generic', slug('hook'));
      expect(s.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(s.webhookPath).toBe(`/v1/webhooks/orders/${s.id}`);
      const got = await t.http().get(`/v1/order-sources/${s.id}`).set(auth).expect(200);
      expect(got.body.secret).toBeUndefined();
      expect(got.body).toMatchObject({ id: s.id, kind: 'generic', status: 'active' });
      const [row] = await ds.query(`SELECT secret_sealed FROM order_sources WHERE id = $1`, [s.id]);
      expect(row.secret_sealed).toMatch(/^v1\./);
      expect(row.secret_sealed).not.toContain(s.secret.slice(6));
      const audit = await ds.query(`SELECT action, after FROM audit_log WHERE entity_id = $1`, [s.id]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['order_source.create']);
      expect(JSON.stringify(audit)).not.toContain(s.secret);
      const list = await t.http().get('/v1/order-sources').set(auth).expect(200);
      expect(list.body.items.map((i: { id: string }) => i.id)).toContain(s.id);
    });

    it('refuses a slug taken in the brand (409 naming slug) and an unknown kind (400)', async () => {
      const sl = slug('dup');
      await createSource('generic', sl);
      const dup = await t
        .http()
        .post('/v1/order-sources')
        .set(auth)
        .send({ kind: 'shopify', name: 'x', slug: sl })
        .expect(409);
      expect(dup.body.errors[0].field).toBe('slug');
      const bad = await t
        .http()
        .post('/v1/order-sources')
        .set(auth)
        .send({ kind: 'tiktok', name: 'x' })
        .expect(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.body.errors[0].field).toBe('kind');
    });

    it('answers 404 for another brand’s source on every route', async () => {
      const other = await createBrand(t.app);
      const otherAuth = { authorization: `Bearer ${other.owner.token}` };
      const mine = await createSource('affiliate', slug('aff'));
      await t.http().get(`/v1/order-sources/${mine.id}`).set(otherAuth).expect(404);
      await t.http().post(`/v1/order-sources/${mine.id}/rotate-secret`).set(otherAuth).send({}).expect(404);
      await t.http().post(`/v1/order-sources/${mine.id}/disable`).set(otherAuth).expect(404);
      await t
        .http()
        .post(`/v1/order-sources/${mine.id}/affiliate-orders`)
        .set(otherAuth)
        .send({ orders: [{}] })
        .expect(404);
      await t.http().get(`/v1/order-sources/${mine.id}/affiliate-imports`).set(otherAuth).expect(404);
      const list = await t.http().get('/v1/order-sources').set(otherAuth).expect(200);
      expect(list.body.items).toEqual([]);
    });

    it('rotation: the new secret signs at once, the previous one for the grace period only', async () => {
      const s = await createSource('generic', slug('rot'));
      const rotated = await t
        .http()
        .post(`/v1/order-sources/${s.id}/rotate-secret`)
        .set(auth)
        .send({ graceSeconds: 3600 })
        .expect(200);
      expect(rotated.body.secret).not.toBe(s.secret);
      expect(new Date(rotated.body.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now());
      await signedGeneric(s.id, s.secret, { orders: [order()] }).expect(200);
      await signedGeneric(s.id, rotated.body.secret, { orders: [order()] }).expect(200);
      const again = await t
        .http()
        .post(`/v1/order-sources/${s.id}/rotate-secret`)
        .set(auth)
        .send({ graceSeconds: 0 })
        .expect(200);
      await signedGeneric(s.id, rotated.body.secret, { orders: [order()] }).expect(401);
      await signedGeneric(s.id, s.secret, { orders: [order()] }).expect(401);
      await signedGeneric(s.id, again.body.secret, { orders: [order()] }).expect(200);
      const actions = await ds.query(`SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, [s.id]);
      expect(
        actions.filter((a: { action: string }) => a.action === 'order_source.rotate_secret'),
      ).toHaveLength(2);
    });

    it('a disabled source’s deliveries answer 401 and record nothing', async () => {
      const s = await createSource('generic', slug('off'));
      await t.http().post(`/v1/order-sources/${s.id}/disable`).set(auth).expect(200);
      await signedGeneric(s.id, s.secret, { orders: [order()] }).expect(401);
      expect(await ordersFrom(s.slug)).toEqual([]);
    });
  });

  describe('generic webhook', () => {
    let src: { id: string; secret: string; slug: string };
    beforeAll(async () => {
      src = await createSource('generic', slug('gen'));
    });

    it('records a signed order under the source’s slug, matched to the member by phone', async () => {
      const phone = uniquePhone();
      const m = await createMember(t.app, brand, { identities: { phone } });
      const o = order({ identities: { phone }, couponCodes: ['WELCOME-5'], linkCode: 'lk_12345' });
      const res = await signedGeneric(src.id, src.secret, { orders: [o] }).expect(200);
      expect(res.body).toMatchObject({
        replayed: false,
        orders: [{ index: 0, outcome: 'created', externalId: o.externalId, memberId: m.id }],
      });
      const view = await t.http().get(`/v1/orders/${res.body.orders[0].id}`).set(auth).expect(200);
      expect(view.body).toMatchObject({
        source: src.slug,
        couponCodes: ['WELCOME-5'],
        linkCode: 'lk_12345',
        memberId: m.id,
      });
      const member = await t.http().get(`/v1/members/${m.id}`).set(auth).expect(200);
      expect(member.body.orderCount).toBe(1);
    });

    it('refuses wrong, missing and stale signatures with 401, recording nothing', async () => {
      const o = order();
      const body = JSON.stringify({ orders: [o] });
      const ts = now();
      await postGeneric(src.id, body, {
        'x-siyu-timestamp': ts,
        'x-siyu-signature': `sha256=${signGeneric('whsec_wrong', ts, body)}`,
      }).expect(401);
      await postGeneric(src.id, body, { 'x-siyu-timestamp': ts }).expect(401);
      // Signed over another timestamp than the header's.
      await postGeneric(src.id, body, {
        'x-siyu-timestamp': ts,
        'x-siyu-signature': signGeneric(src.secret, String(Number(ts) - 1), body),
      }).expect(401);
      const stale = String(Math.floor(Date.now() / 1000) - 301);
      const res = await signedGeneric(src.id, src.secret, body, {}, stale).expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      // An unknown source answers the same.
      await signedGeneric(randomUUID(), src.secret, body).expect(401);
      await signedGeneric('not-a-uuid', src.secret, body).expect(401);
      const found = await ds.query(`SELECT 1 FROM orders WHERE external_id = $1`, [o.externalId]);
      expect(found).toEqual([]);
    });

    it('a replay (same delivery id, or same signature) is a no-op answering the original outcome', async () => {
      const o = order();
      const delivery = `dlv-${randomUUID()}`;
      const first = await signedGeneric(
        src.id,
        src.secret,
        { orders: [o] },
        { 'x-siyu-delivery': delivery },
      ).expect(200);
      const again = await signedGeneric(
        src.id,
        src.secret,
        { orders: [o] },
        { 'x-siyu-delivery': delivery },
      ).expect(200);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      // Without a delivery id the signature is the key: the identical request again.
      const o2 = order();
      const body = JSON.stringify({ orders: [o2] });
      const ts = now();
      const headers = {
        'x-siyu-timestamp': ts,
        'x-siyu-signature': `sha256=${signGeneric(src.secret, ts, body)}`,
      };
      const a = await postGeneric(src.id, body, headers).expect(200);
      const b = await postGeneric(src.id, body, headers).expect(200);
      expect(b.body.replayed).toBe(true);
      expect(b.body.orders).toEqual(a.body.orders);
      const count = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = ANY($1)`, [
        [o.externalId, o2.externalId],
      ]);
      expect(count[0].n).toBe(2);
      const deliveries = await ds.query(
        `SELECT count(*)::int AS n FROM order_webhook_deliveries WHERE source_id = $1 AND delivery_key = $2`,
        [src.id, delivery],
      );
      expect(deliveries[0].n).toBe(1);
    });

    it('malformed JSON is a 400; an invalid order a 400 naming its field, and nothing of the delivery is recorded', async () => {
      const bad = await signedGeneric(src.id, src.secret, '{"orders": [ {"externalId": ').expect(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.body.code).toBe('MALFORMED_JSON');
      const good = order();
      const res = await signedGeneric(src.id, src.secret, {
        orders: [good, order({ amountMinor: '12.5' })],
      }).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['orders[1].amountMinor']);
      expect(await ds.query(`SELECT 1 FROM orders WHERE external_id = $1`, [good.externalId])).toEqual([]);
      const shape = await signedGeneric(src.id, src.secret, {
        orders: [{ ...order(), source: 'store' }],
        extra: 1,
      }).expect(400);
      expect(shape.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'extra',
        'orders[0].source',
      ]);
    });

    it('a body over the limit is a 413', async () => {
      const huge = JSON.stringify({
        orders: [
          order({ items: [{ sku: 'X', name: 'y'.repeat(1_100_000), quantity: 1, unitPriceMinor: 1 }] }),
        ],
      });
      const res = await signedGeneric(src.id, src.secret, huge);
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });

    it('a refund event reduces the order (idempotent on its id)', async () => {
      const o = order({ amountMinor: '30000', items: [] });
      await signedGeneric(src.id, src.secret, { orders: [o] }).expect(200);
      const refund = {
        orderExternalId: o.externalId,
        externalId: `RF-${randomUUID()}`,
        amountMinor: '10000',
        refundedAt: '2026-11-21T10:00:00+08:00',
      };
      const res = await signedGeneric(src.id, src.secret, { refunds: [refund] }).expect(200);
      expect(res.body.refunds[0]).toMatchObject({
        outcome: 'created',
        status: 'partially_refunded',
        refundedMinor: '10000',
      });
      const again = await signedGeneric(
        src.id,
        src.secret,
        { refunds: [refund] },
        { 'x-siyu-delivery': randomUUID() },
      ).expect(200);
      expect(again.body.refunds[0]).toMatchObject({ outcome: 'existing', refundedMinor: '10000' });
      const unknown = await signedGeneric(src.id, src.secret, {
        refunds: [{ ...refund, orderExternalId: 'nope' }],
      }).expect(400);
      expect(unknown.body.errors[0].field).toBe('refunds[0].orderExternalId');
    });

    it('keeps an order nobody matches, and matches it when its member appears', async () => {
      const storeCustomerId = `C-${randomUUID()}`;
      const o = order({ identities: { storeCustomerId } });
      const res = await signedGeneric(src.id, src.secret, { orders: [o] }).expect(200);
      expect(res.body.orders[0].memberId).toBeNull();
      const m = await createMember(t.app, brand, { identities: { storeCustomerId } });
      const [row] = await ds.query(`SELECT member_id FROM orders WHERE id = $1`, [res.body.orders[0].id]);
      expect(row.member_id).toBe(m.id);
    });
  });

  describe('shopify webhook', () => {
    let shop: { id: string; secret: string; slug: string };
    beforeAll(async () => {
      shop = await createSource('shopify', slug('shop'));
    });

    it('orders/paid: ids above 2^53 kept digit for digit, discount codes → couponCodes, link code, member by customer id', async () => {
      const orderId = bigId();
      const customerId = bigId();
      expect(BigInt(orderId) > 2n ** 53n && BigInt(customerId) > 2n ** 53n).toBe(true);
      const m = await createMember(t.app, brand, { identities: { storeCustomerId: customerId } });
      const res = await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        shopifyOrderText(orderId, customerId),
      ).expect(200);
      expect(res.body).toMatchObject({
        outcome: 'created',
        order: { externalId: orderId, memberId: m.id, status: 'paid' },
      });
      const view = await t.http().get(`/v1/orders/${res.body.order.id}`).set(auth).expect(200);
      expect(view.body).toMatchObject({
        source: shop.slug,
        externalId: orderId,
        amountMinor: '25600',
        currency: 'CNY',
        couponCodes: ['SUMMER-20'],
        linkCode: 'k7Qm2xPa9',
        placedAt: '2026-11-20T02:15:00.000Z',
      });
      expect(view.body.items).toEqual([
        expect.objectContaining({ sku: 'TEA-LJ-250', quantity: 2, unitPriceMinor: '12800' }),
        expect.objectContaining({ sku: 'variant-49148385', quantity: 1, unitPriceMinor: '2000' }),
      ]);
    });

    it('an unmatched Shopify customer id is kept exactly on the order’s claim, and matches later', async () => {
      const orderId = bigId();
      const customerId = bigId();
      const res = await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        shopifyOrderText(orderId, customerId),
      ).expect(200);
      expect(res.body.order.memberId).toBeNull();
      const claims = await ds.query(`SELECT kind, value FROM order_identity_claims WHERE order_id = $1`, [
        res.body.order.id,
      ]);
      expect(claims).toEqual([{ kind: 'store_customer_id', value: customerId }]);
      const m = await createMember(t.app, brand, { identities: { storeCustomerId: customerId } });
      const [row] = await ds.query(`SELECT member_id, external_id FROM orders WHERE id = $1`, [
        res.body.order.id,
      ]);
      expect(row).toEqual({ member_id: m.id, external_id: orderId });
    });

    it('refuses a wrong HMAC (401) and a body changed after signing', async () => {
      const text = shopifyOrderText(bigId(), bigId());
      await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        text,
        randomUUID(),
        signShopify('whsec_other', text),
      ).expect(401);
      await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        text.replace('"256.00"', '"1.00"'),
        randomUUID(),
        signShopify(shop.secret, text),
      ).expect(401);
      await postShopify(shop.id, shop.secret, 'orders/paid', text, randomUUID(), '').expect(401);
      // The generic route does not take a Shopify source's deliveries.
      await signedGeneric(shop.id, shop.secret, text).expect(401);
    });

    it('de-duplicates X-Shopify-Webhook-Id: the replay answers the original outcome', async () => {
      const orderId = bigId();
      const text = shopifyOrderText(orderId, bigId());
      const webhookId = `b54557e4-${randomUUID()}`;
      const first = await postShopify(shop.id, shop.secret, 'orders/paid', text, webhookId).expect(200);
      const again = await postShopify(shop.id, shop.secret, 'orders/paid', text, webhookId).expect(200);
      expect(again.body).toEqual({ ...first.body, replayed: true });
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM order_webhook_deliveries WHERE source_id = $1 AND delivery_key = $2`,
        [shop.id, webhookId],
      );
      expect(n).toBe(1);
    });

    it('refunds/create reduces the order by the refund’s successful transactions', async () => {
      const orderId = bigId();
      const paid = await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        shopifyOrderText(orderId, bigId()),
      ).expect(200);
      const refundText = fixture('shopify-refunds-create.json').replaceAll('820982911946154508', orderId);
      const res = await postShopify(shop.id, shop.secret, 'refunds/create', refundText).expect(200);
      expect(res.body).toMatchObject({
        outcome: 'created',
        refund: { externalId: 'shopify-refund-929361462000000001', amountMinor: '12800' },
        order: { id: paid.body.order.id, status: 'partially_refunded', refundedMinor: '12800' },
      });
      const view = await t.http().get(`/v1/orders/${paid.body.order.id}`).set(auth).expect(200);
      expect(view.body).toMatchObject({ status: 'partially_refunded', refundedMinor: '12800' });
      // The same refund under another webhook id changes nothing.
      const again = await postShopify(shop.id, shop.secret, 'refunds/create', refundText).expect(200);
      expect(again.body).toMatchObject({ outcome: 'existing', order: { refundedMinor: '12800' } });
      // A refund for an order not received yet: a 4xx, so Shopify retries it.
      const early = fixture('shopify-refunds-create.json').replaceAll('820982911946154508', bigId());
      const r = await postShopify(shop.id, shop.secret, 'refunds/create', early).expect(422);
      expect(r.body.errors[0].field).toBe('order_id');
    });

    it('malformed JSON (signed) is a 400; an invalid order a 400 naming Shopify’s field; other topics are acknowledged', async () => {
      const broken = '{"id": 820982911946154508, "total_price": ';
      const res = await postShopify(shop.id, shop.secret, 'orders/paid', broken).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const orderId = bigId();
      const bad = await postShopify(
        shop.id,
        shop.secret,
        'orders/paid',
        shopifyOrderText(orderId, bigId(), [['"total_price": "256.00"', '"total_price": "256.001"']]),
      ).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['total_price']);
      const other = await postShopify(shop.id, shop.secret, 'customers/create', '{"id": 1}').expect(200);
      expect(other.body.outcome).toBe('ignored');
      expect(await ds.query(`SELECT 1 FROM orders WHERE external_id = $1`, [orderId])).toEqual([]);
    });
  });
});
