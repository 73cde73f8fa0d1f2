import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { csv } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;

const HEADER = [
  'Order ID',
  'Sub Order ID',
  'Order Status',
  'Paid Time',
  'Paid Amount',
  'Commission Rate',
  'Estimated Commission',
  'Final Commission',
  'Tracking ID',
];
const FROM = '2026-10-01T00:00:00+08:00';
const TO = '2026-11-01T00:00:00+08:00';

let seq = 0;
const subId = () => `${8_200_000_000_000_000_000n + BigInt(Date.now()) * 1000n + BigInt(++seq)}`;

/**
 * Reconciliation of an affiliate commission report against Siyu's ledger, the ledger written
 * through the real affiliate-orders API (orders and affiliate_order_lines), the report uploaded
 * as a CSV file with one line of each kind.
 */
describe('partners: reconciliation (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let auth: Headers;
  let source: { id: string; slug: string };

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    auth = { authorization: `Bearer ${brand.owner.token}` };
    source = (
      await t
        .http()
        .post('/v1/order-sources')
        .set(auth)
        .send({ kind: 'affiliate', name: 'AliExpress Portals' })
        .expect(201)
    ).body;
  });
  afterAll(() => t.close());

  const row = (over: Record<string, string> = {}) => ({
    order_id: '3045678901234567',
    sub_order_id: subId(),
    order_status: 'Payment Completed',
    paid_time: '2026-10-12 10:15:00',
    paid_amount: '25.60',
    commission_rate: '7%',
    estimated_commission: '1.79',
    ...over,
  });
  const ledger = (rows: unknown[]) =>
    t
      .http()
      .post(`/v1/order-sources/${source.id}/affiliate-orders`)
      .set(auth)
      .send({ orders: rows })
      .expect(200);
  const reportOf = (rows: Array<Record<string, string>>) =>
    csv(
      HEADER,
      rows.map((r) => [
        r.order_id,
        r.sub_order_id,
        r.order_status,
        r.paid_time,
        r.paid_amount,
        r.commission_rate,
        r.estimated_commission,
        r.final_commission ?? '',
        'siyu_default',
      ]),
    );
  const upload = (
    text: string,
    query = `sourceId=${source.id}&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`,
    headers = auth,
  ) =>
    t
      .http()
      .post(`/v1/partner-reconciliations?${query}`)
      .set(headers)
      .attach('file', Buffer.from(text), 'portals-october.csv');

  it('reports matched, amount mismatch, status mismatch, missing in Siyu, missing in the report and unreadable rows', async () => {
    const same = row();
    const commission = row({ paid_amount: '100.00', estimated_commission: '7.00' });
    const refunded = row({ paid_amount: '50.00', estimated_commission: '3.50' });
    const unseen = row({ paid_amount: '10.00', estimated_commission: '0.70' });
    const forgotten = row({ paid_time: '2026-10-20 08:00:00' });
    const outside = row({ paid_time: '2026-09-20 08:00:00' });
    await ledger([same, commission, refunded, forgotten, outside]);

    const report = reportOf([
      same,
      { ...commission, order_status: 'Buyer Confirmed Receipt', final_commission: '6.50' },
      { ...refunded, order_status: 'FullRefund', estimated_commission: '0.00' },
      unseen,
      { ...row(), paid_amount: 'lots' },
      same,
    ]);
    const res = await upload(report).expect(201);
    expect(res.body).toMatchObject({
      sourceId: source.id,
      periodFrom: '2026-09-30T16:00:00.000Z',
      periodTo: '2026-10-31T16:00:00.000Z',
      filename: 'portals-october.csv',
      reportRows: 6,
      counts: {
        matched: 1,
        amount_mismatch: 1,
        status_mismatch: 1,
        missing_in_siyu: 1,
        missing_in_report: 1,
        invalid: 2,
      },
      // Report: 179 + 650 + 0 + 70; Siyu: 179 + 700 + 350 + 179 (the one the report lacks).
      reportCommissionMinor: '899',
      siyuCommissionMinor: '1408',
      differenceMinor: '-509',
      unresolved: 4,
    });
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const run = res.body.id as string;

    const all = (
      await t.http().get(`/v1/partner-reconciliations/${run}/lines?limit=500`).set(auth).expect(200)
    ).body.items;
    const by = (sub: string) =>
      all.find((l: { subOrderId: string; kind: string }) => l.subOrderId === sub && l.kind !== 'invalid');
    expect(by(same.sub_order_id)).toMatchObject({ kind: 'matched', reportLine: 2, differenceMinor: '0' });
    expect(by(commission.sub_order_id)).toMatchObject({
      kind: 'amount_mismatch',
      reportCommissionMinor: '650',
      siyuCommissionMinor: '700',
      differenceMinor: '-50',
      reportOrderStatus: 'paid',
      siyuOrderStatus: 'paid',
    });
    expect(by(refunded.sub_order_id)).toMatchObject({
      kind: 'status_mismatch',
      reportStatus: 'FullRefund',
      reportOrderStatus: 'refunded',
      siyuOrderStatus: 'paid',
    });
    expect(by(unseen.sub_order_id)).toMatchObject({
      kind: 'missing_in_siyu',
      orderId: null,
      siyuCommissionMinor: null,
      differenceMinor: '70',
    });
    expect(by(forgotten.sub_order_id)).toMatchObject({
      kind: 'missing_in_report',
      reportLine: null,
      siyuCommissionMinor: '179',
      differenceMinor: '-179',
    });
    expect(by(outside.sub_order_id)).toBeUndefined();
    const [{ id: forgottenOrder }] = await ds.query(
      `SELECT id FROM orders WHERE brand_id = $1 AND source = $2 AND external_id = $3`,
      [brand.id, source.slug, forgotten.sub_order_id],
    );
    expect(by(forgotten.sub_order_id).orderId).toBe(forgottenOrder);
    const invalid = all.filter((l: { kind: string }) => l.kind === 'invalid');
    expect(invalid.map((l: { reportLine: number }) => l.reportLine)).toEqual([6, 7]);
    expect(invalid[0].errors[0].field).toBe('paid_amount');
    expect(invalid[1].errors[0]).toEqual({
      field: 'sub_order_id',
      message: 'sub_order_id also appears on line 2',
    });

    // Keyset pages and the kind filter.
    const p1 = await t.http().get(`/v1/partner-reconciliations/${run}/lines?limit=4`).set(auth).expect(200);
    const p2 = await t
      .http()
      .get(`/v1/partner-reconciliations/${run}/lines?limit=4&cursor=${p1.body.nextCursor}`)
      .set(auth)
      .expect(200);
    expect([...p1.body.items, ...p2.body.items].map((l: { id: string }) => l.id)).toEqual(
      all.map((l: { id: string }) => l.id),
    );
    expect(p2.body.nextCursor).toBeNull();
    const mism = await t
      .http()
      .get(`/v1/partner-reconciliations/${run}/lines?kind=amount_mismatch`)
      .set(auth)
      .expect(200);
    expect(mism.body.items).toHaveLength(1);

    // CSV export: a header and one line per line.
    const exp = await t.http().get(`/v1/partner-reconciliations/${run}/export`).set(auth).expect(200);
    expect(exp.headers['content-type']).toContain('text/csv');
    const lines = exp.text.trim().split('\n');
    expect(lines[0]).toBe(
      'line_id,kind,report_line,sub_order_id,parent_order_id,order_id,report_status,report_order_status,report_paid_minor,report_commission_minor,siyu_order_status,siyu_paid_minor,siyu_commission_minor,difference_minor,resolution,agreed_commission_minor,resolution_note,resolved_at',
    );
    expect(lines).toHaveLength(all.length + 1);
    expect(lines.find((l) => l.includes(commission.sub_order_id))).toContain('amount_mismatch');

    // Resolving: once per difference, audited; matched lines have nothing to resolve.
    const resolve = (lineId: string, body: object) =>
      t.http().post(`/v1/partner-reconciliations/${run}/lines/${lineId}/resolution`).set(auth).send(body);
    const r1 = await resolve(by(commission.sub_order_id).id, {
      resolution: 'accept_report',
      note: 'programme final',
    }).expect(200);
    expect(r1.body).toMatchObject({
      resolution: 'accept_report',
      agreedCommissionMinor: '650',
      resolutionNote: 'programme final',
    });
    const r2 = await resolve(by(forgotten.sub_order_id).id, { resolution: 'accept_siyu' }).expect(200);
    expect(r2.body.agreedCommissionMinor).toBe('179');
    const r3 = await resolve(by(unseen.sub_order_id).id, {
      resolution: 'note',
      note: '=HYPERLINK("x")',
    }).expect(200);
    expect(r3.body.agreedCommissionMinor).toBeNull();
    expect(
      (await resolve(by(commission.sub_order_id).id, { resolution: 'accept_siyu' }).expect(409)).body.code,
    ).toBe('RECONCILIATION_LINE_ALREADY_RESOLVED');
    expect(
      (await resolve(by(same.sub_order_id).id, { resolution: 'accept_siyu' }).expect(409)).body.code,
    ).toBe('RECONCILIATION_LINE_NOTHING_TO_RESOLVE');
    expect(
      (await resolve(by(refunded.sub_order_id).id, { resolution: 'ignore' }).expect(400)).body.errors[0]
        .field,
    ).toBe('resolution');
    await resolve('abc', { resolution: 'note' }).expect(400);
    await resolve('999999999', { resolution: 'note' }).expect(404);
    const after = await t.http().get(`/v1/partner-reconciliations/${run}`).set(auth).expect(200);
    expect(after.body.unresolved).toBe(1);
    const open = await t
      .http()
      .get(`/v1/partner-reconciliations/${run}/lines?unresolved=true`)
      .set(auth)
      .expect(200);
    expect(open.body.items.map((l: { subOrderId: string }) => l.subOrderId)).toEqual([refunded.sub_order_id]);
    // A note that looks like a formula is inert in the export.
    const exp2 = await t.http().get(`/v1/partner-reconciliations/${run}/export`).set(auth).expect(200);
    expect(exp2.text).toContain(`"'=HYPERLINK(""x"")"`);

    const audit = await t
      .http()
      .get('/v1/audit-log?action=partner_reconciliation.resolve')
      .set(auth)
      .expect(200);
    expect(audit.body.items).toHaveLength(3);
    expect(
      audit.body.items.find((e: { entityId: string }) => e.entityId === by(commission.sub_order_id).id),
    ).toMatchObject({
      before: { kind: 'amount_mismatch', resolution: null, differenceMinor: '-50' },
      after: { resolution: 'accept_report', agreedCommissionMinor: '650' },
    });
    const created = await t
      .http()
      .get('/v1/audit-log?action=partner_reconciliation.create')
      .set(auth)
      .expect(200);
    expect(created.body.items[0].after).toMatchObject({
      filename: 'portals-october.csv',
      counts: { matched: 1 },
    });

    const list = await t.http().get('/v1/partner-reconciliations').set(auth).expect(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toContain(run);
  });

  it('refuses bad input with a 400 naming the field and writes nothing; another brand answers 404', async () => {
    const count = async () =>
      Number(
        (
          await ds.query(`SELECT count(*) AS n FROM partner_reconciliations WHERE brand_id = $1`, [brand.id])
        )[0].n,
      );
    const before = await count();
    const good = reportOf([row()]);
    expect((await upload(good, `from=${FROM}&to=${TO}`).expect(400)).body.errors[0].field).toBe('sourceId');
    expect(
      (
        await upload(
          good,
          `sourceId=${source.id}&from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`,
        ).expect(400)
      ).body.errors[0].field,
    ).toBe('to');
    const header = await upload('sub_order_id,paid_amount\n1,2\n').expect(400);
    expect(header.body.code).toBe('RECONCILIATION_HEADER_INVALID');
    expect(header.headers['content-type']).toContain('application/problem+json');
    expect((await upload(csv(HEADER, [])).expect(400)).body.code).toBe('RECONCILIATION_FILE_EMPTY');
    const noFile = await t
      .http()
      .post(
        `/v1/partner-reconciliations?sourceId=${source.id}&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`,
      )
      .set(auth)
      .send({});
    expect(noFile.status).toBe(400);
    expect(await count()).toBe(before);
    const [{ n: chunks }] = await ds.query(`SELECT count(*)::int AS n FROM partner_reconciliation_chunks`);
    expect(chunks).toBe(0);

    const other = await createBrand(t.app);
    const otherAuth = { authorization: `Bearer ${other.owner.token}` };
    const run = (await upload(reportOf([row()])).expect(201)).body.id;
    await t.http().get(`/v1/partner-reconciliations/${run}`).set(otherAuth).expect(404);
    await t.http().get(`/v1/partner-reconciliations/${run}/lines`).set(otherAuth).expect(404);
    await t.http().get(`/v1/partner-reconciliations/${run}/export`).set(otherAuth).expect(404);
    // Our source through another brand's token: its source is not theirs.
    expect((await upload(good, undefined, otherAuth).expect(404)).body.code).toBe('ORDER_SOURCE_NOT_FOUND');
    const cm = await createOperator(t.app, brand, 'community_manager');
    await t
      .http()
      .get(`/v1/partner-reconciliations/${run}`)
      .set({ authorization: `Bearer ${cm.token}` })
      .expect(403);
  });
});
