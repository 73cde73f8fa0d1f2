import { randomUUID } from 'node:crypto';
import { OrdersIngestWorkerModule } from '@siyu/conversions';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember, csv } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;

interface ImportState {
  id: string;
  status: string;
  totalRows: number;
  processedRows: number;
  percent: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** The report's header as AliExpress Portals exports it (human names, extra columns). */
const HEADER = [
  'Order ID',
  'Sub Order ID',
  'Order Status',
  'Paid Time',
  'Finished Time',
  'Product Title',
  'Paid Amount',
  'Commission Rate',
  'Estimated Commission',
  'Final Commission',
  'Tracking ID',
  'Custom Parameters',
];

let seq = 0;
const subId = () => `${8_100_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(++seq)}`;

/** The API with the affiliate-import processor in-process (as the worker runs it). */
describe('orders in: affiliate order reports (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let auth: Headers;
  let ds: DataSource;
  let source: { id: string; slug: string };

  beforeAll(async () => {
    t = await createTestApp(OrdersIngestWorkerModule);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    auth = { authorization: `Bearer ${brand.owner.token}` };
    ds = t.app.get(DataSource);
    source = (
      await t
        .http()
        .post('/v1/order-sources')
        .set(auth)
        .send({ kind: 'affiliate', name: 'AliExpress Portals' })
        .expect(201)
    ).body;
    expect(source).toMatchObject({ slug: 'aliexpress', webhookPath: null });
    expect((source as { secret?: string }).secret).toBeUndefined();
  });
  afterAll(() => t.close());

  const row = (over: Record<string, unknown> = {}) => ({
    order_id: '3045678901234567',
    sub_order_id: subId(),
    order_status: 'Payment Completed',
    paid_time: '2026-11-20 10:15:00',
    paid_amount: '25.60',
    commission_rate: '7%',
    estimated_commission: '1.79',
    tracking_id: 'siyu_default',
    custom_parameters: 'siyu_link=k7Qm2xPa9',
    ...over,
  });
  const post = (orders: unknown[], headers = auth) =>
    t.http().post(`/v1/order-sources/${source.id}/affiliate-orders`).set(headers).send({ orders });
  const orderOf = async (subOrderId: string) =>
    (
      await ds.query(
        `SELECT id, member_id, status, amount_minor::text AS amount, refunded_minor::text AS refunded, link_code, placed_at
           FROM orders WHERE brand_id = $1 AND source = $2 AND external_id = $3`,
        [brand.id, source.slug, subOrderId],
      )
    )[0];
  const line = async (subOrderId: string) =>
    (
      await t
        .http()
        .get(`/v1/order-sources/${source.id}/affiliate-orders/${subOrderId}`)
        .set(auth)
        .expect(200)
    ).body;

  describe('by JSON API', () => {
    it('records a sub-order as an order (external id = sub_order_id) with its commission line', async () => {
      const r = row();
      const res = await post([r]).expect(200);
      expect(res.body).toMatchObject({
        received: 1,
        created: 1,
        failed: 0,
        results: [{ index: 0, subOrderId: r.sub_order_id, outcome: 'created' }],
      });
      const o = await orderOf(r.sub_order_id);
      expect(o).toMatchObject({
        status: 'paid',
        amount: '2560',
        refunded: '0',
        link_code: 'k7Qm2xPa9',
        member_id: null,
      });
      // Zone-less times are read in the brand's time zone (Asia/Shanghai, UTC+8).
      expect(new Date(o.placed_at).toISOString()).toBe('2026-11-20T02:15:00.000Z');
      expect(await line(r.sub_order_id)).toMatchObject({
        parent_order_id: '3045678901234567',
        order_id: o.id,
        status: 'Payment Completed',
        commission_rate_bp: 700,
        estimated_commission_minor: '179',
        final_commission_minor: null,
        tracking_id: 'siyu_default',
        link_code: 'k7Qm2xPa9',
      });
    });

    it('a duplicate is a no-op; status changes move the order and the commission, with history', async () => {
      const r = row({ paid_amount: '100.00', estimated_commission: '7.00' });
      await post([r]).expect(200);
      const dup = await post([r]).expect(200);
      expect(dup.body).toMatchObject({ unchanged: 1, created: 0, updated: 0 });
      const confirmed = {
        ...r,
        order_status: 'Buyer Confirmed Receipt',
        finished_time: '2026-11-21 09:00:00',
        final_commission: '6.50',
      };
      const up = await post([confirmed]).expect(200);
      expect(up.body.results[0].outcome).toBe('updated');
      expect(await orderOf(r.sub_order_id)).toMatchObject({ status: 'paid' });
      const refunded = { ...confirmed, order_status: 'FullRefund', final_commission: '0' };
      await post([refunded]).expect(200);
      expect(await orderOf(r.sub_order_id)).toMatchObject({ status: 'refunded', refunded: '10000' });
      const l = await line(r.sub_order_id);
      expect(l).toMatchObject({
        status: 'FullRefund',
        final_commission_minor: '0',
        estimated_commission_minor: '700',
      });
      expect(l.status_history.map((h: { status: string }) => h.status)).toEqual([
        'Payment Completed',
        'Buyer Confirmed Receipt',
        'FullRefund',
      ]);
      // Replaying the report's earlier rows changes nothing back.
      expect((await post([refunded]).expect(200)).body.unchanged).toBe(1);
    });

    it('Invalid cancels a paid order; one request may carry a sub-order’s whole story', async () => {
      const r = row();
      const res = await post([r, { ...r, order_status: 'Invalid', estimated_commission: '0' }]).expect(200);
      expect(res.body.results.map((x: { outcome: string }) => x.outcome)).toEqual(['created', 'updated']);
      expect(await orderOf(r.sub_order_id)).toMatchObject({ status: 'cancelled' });
    });

    it('bad rows are reported (index, column, reason) and good rows kept', async () => {
      const good = row();
      const res = await post([
        good,
        row({ order_status: 'Shipped' }),
        row({ paid_amount: '12.345' }),
        row({ sub_order_id: Number('8123456789012345678') }), // a JSON number past 2^53: digits already lost
        row({ paid_time: 'yesterday', commission_rate: 'lots' }),
        row({ currency: 'USD' }),
      ]).expect(200);
      expect(res.body).toMatchObject({ received: 6, created: 1, failed: 5 });
      const fields = res.body.results.map((x: { errors?: Array<{ field: string }> }) =>
        (x.errors ?? []).map((e) => e.field),
      );
      expect(fields).toEqual([
        [],
        ['order_status'],
        ['paid_amount'],
        ['sub_order_id'],
        ['commission_rate', 'paid_time'],
        ['currency'],
      ]);
      expect(await orderOf(good.sub_order_id)).toBeDefined();
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM affiliate_order_lines WHERE brand_id = $1 AND sub_order_id = $2`,
        [brand.id, res.body.results[2].subOrderId],
      );
      expect(n).toBe(0);
    });

    it('a buyer the link carried is matched; one it did not is kept unmatched for later', async () => {
      const unionid = `u-${randomUUID()}`;
      const m = await createMember(t.app, brand, { identities: { unionid } });
      const known = row({
        custom_parameters: JSON.stringify({ siyu_link: 'abc123', siyu_unionid: unionid }),
      });
      const stranger = row({ order_id: `P-${randomUUID().slice(0, 8)}`, custom_parameters: '' });
      await post([known, stranger]).expect(200);
      expect(await orderOf(known.sub_order_id)).toMatchObject({ member_id: m.id, link_code: 'abc123' });
      const kept = await orderOf(stranger.sub_order_id);
      expect(kept.member_id).toBeNull();
      const claims = await ds.query(`SELECT kind, value FROM order_identity_claims WHERE order_id = $1`, [
        kept.id,
      ]);
      expect(claims).toEqual([{ kind: 'store_customer_id', value: `aliexpress-buyer-${stranger.order_id}` }]);
    });

    it('refuses a generic source (422) and an empty batch (400)', async () => {
      const g = (
        await t
          .http()
          .post('/v1/order-sources')
          .set(auth)
          .send({ kind: 'generic', name: 'g', slug: `g-${randomUUID().slice(0, 6)}` })
          .expect(201)
      ).body;
      await t
        .http()
        .post(`/v1/order-sources/${g.id}/affiliate-orders`)
        .set(auth)
        .send({ orders: [row()] })
        .expect(422);
      const empty = await post([]).expect(400);
      expect(empty.body.errors[0].field).toBe('orders');
    });
  });

  describe('by CSV import (a job)', () => {
    const upload = (text: string, headers = auth) =>
      t
        .http()
        .post(`/v1/order-sources/${source.id}/affiliate-imports`)
        .set(headers)
        .attach('file', Buffer.from(text), 'portals-report.csv');
    async function finished(id: string): Promise<ImportState> {
      for (;;) {
        const res = await t
          .http()
          .get(`/v1/order-sources/${source.id}/affiliate-imports/${id}`)
          .set(auth)
          .expect(200);
        if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const cells = (r: ReturnType<typeof row> & Record<string, unknown>) => [
      r.order_id,
      r.sub_order_id,
      r.order_status,
      r.paid_time,
      (r.finished_time as string) ?? '',
      'Longjing tea, 250 g',
      r.paid_amount,
      r.commission_rate,
      r.estimated_commission,
      (r.final_commission as string) ?? '',
      r.tracking_id,
      r.custom_parameters,
    ];

    it('applies a report with status changes, duplicates and bad rows; progress and errors readable', async () => {
      const paidEarlier = row();
      await post([paidEarlier]).expect(200);
      const fresh = row();
      const rows = [
        cells(fresh),
        cells(fresh), // a duplicate line in the same file
        cells(row({ order_status: 'Lost in the post' })),
        cells({ ...paidEarlier, order_status: 'FullRefund' }),
        cells(row({ paid_amount: '-3.00' })),
      ];
      const res = await upload(csv(HEADER, rows)).expect(202);
      expect(res.body).toMatchObject({ status: 'pending', totalRows: 5, processedRows: 0 });
      const done = await finished(res.body.id);
      expect(done).toMatchObject({
        status: 'completed',
        totalRows: 5,
        processedRows: 5,
        percent: 100,
        created: 1,
        updated: 1,
        unchanged: 1,
        failed: 2,
      });
      expect(await orderOf(fresh.sub_order_id)).toMatchObject({ status: 'paid' });
      expect(await orderOf(paidEarlier.sub_order_id)).toMatchObject({ status: 'refunded' });
      const errors = await t
        .http()
        .get(`/v1/order-sources/${source.id}/affiliate-imports/${res.body.id}/errors`)
        .set(auth)
        .expect(200);
      expect(errors.body.items).toEqual([
        { line: 4, field: 'order_status', reason: expect.stringContaining('must be one of') },
        { line: 6, field: 'paid_amount', reason: expect.stringContaining('decimal amount') },
      ]);
      // The same file again: every good row is a no-op.
      const again = await finished((await upload(csv(HEADER, rows)).expect(202)).body.id);
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, failed: 2 });
      const chunks = await ds.query(
        `SELECT count(*)::int AS n FROM affiliate_import_chunks WHERE import_id = $1`,
        [res.body.id],
      );
      expect(chunks[0].n).toBe(0);
    });

    it('refuses a header without the required columns (400 naming them) and a file with no rows', async () => {
      const bad = await upload('Order ID,Paid Amount\n1,2\n').expect(400);
      expect(bad.body.errors[0]).toMatchObject({
        field: 'file.header',
        message: expect.stringContaining('sub_order_id'),
      });
      await upload(`${HEADER.join(',')}\n`).expect(400);
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM affiliate_imports WHERE source_id = $1 AND status = 'pending'`,
        [source.id],
      );
      expect(n).toBe(0);
    });

    it('another brand cannot read or upload to this source’s imports (404)', async () => {
      const other = await createBrand(t.app);
      const otherAuth = { authorization: `Bearer ${other.owner.token}` };
      const res = await upload(csv(HEADER, [cells(row())])).expect(202);
      await finished(res.body.id);
      await t
        .http()
        .get(`/v1/order-sources/${source.id}/affiliate-imports/${res.body.id}`)
        .set(otherAuth)
        .expect(404);
      await t
        .http()
        .get(`/v1/order-sources/${source.id}/affiliate-imports/${res.body.id}/errors`)
        .set(otherAuth)
        .expect(404);
      await upload(csv(HEADER, [cells(row())]), otherAuth).expect(404);
    });
  });
});
