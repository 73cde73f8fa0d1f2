import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { orderBody } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

interface SequenceRow {
  order_id: string;
  member_id: string;
  seq: number;
  prev_at: string | null;
  next_at: string | null;
}

/**
 * `order_sequence` (the repurchase report's source) against a recomputation from the orders, after
 * every kind of order change the API makes: new orders, a late order placed before the others, a
 * full refund, a partial refund, a cancellation by status update, a late match and a merge.
 */
describe('the order sequence kept with the orders (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app);
  });
  afterAll(() => t?.close());

  const auth = () => ({ authorization: `Bearer ${brand.owner.token}` });

  async function member(unionid: string): Promise<string> {
    const res = await t
      .http()
      .post('/v1/members')
      .set(auth())
      .send({ identities: { unionid }, nickname: unionid });
    expect([200, 201]).toContain(res.status);
    return res.body.id as string;
  }

  async function order(overrides: Record<string, unknown>): Promise<{ id: string; externalId: string }> {
    const body = orderBody(overrides);
    const res = await t.http().post('/v1/orders').set(auth()).send(body);
    expect([200, 201]).toContain(res.status);
    return { id: res.body.id as string, externalId: body.externalId as string };
  }

  const stored = (): Promise<SequenceRow[]> =>
    ds.query(
      `SELECT order_id, member_id, seq, prev_at::text, next_at::text FROM order_sequence
        WHERE brand_id = $1 ORDER BY order_id`,
      [brand.id],
    );

  /** Written here, not shared with the lib: counted orders numbered per member by (placed_at, id). */
  const recomputed = (): Promise<SequenceRow[]> =>
    ds.query(
      `SELECT id AS order_id, member_id, seq::int, prev_at::text, next_at::text FROM (
         SELECT id, member_id,
                row_number() OVER (PARTITION BY member_id ORDER BY placed_at, id) AS seq,
                lag(placed_at) OVER (PARTITION BY member_id ORDER BY placed_at, id) AS prev_at,
                lead(placed_at) OVER (PARTITION BY member_id ORDER BY placed_at, id) AS next_at
           FROM orders
          WHERE brand_id = $1 AND member_id IS NOT NULL AND status IN ('paid', 'partially_refunded')) x
        ORDER BY order_id`,
      [brand.id],
    );

  async function expectInSync(): Promise<SequenceRow[]> {
    const rows = await stored();
    expect(rows).toEqual(await recomputed());
    return rows;
  }

  it('agrees with a recomputation from the orders after orders, refunds, cancellations, a late match and a merge', async () => {
    const a = await member('seq-a');
    const b = await member('seq-b');
    const a1 = await order({ memberId: a, placedAt: '2025-03-01T10:00:00Z', amountMinor: '1000' });
    const a2 = await order({ memberId: a, placedAt: '2025-04-01T10:00:00Z', amountMinor: '2000' });
    const a3 = await order({ memberId: a, placedAt: '2025-05-01T10:00:00Z', amountMinor: '3000' });
    const b1 = await order({ memberId: b, placedAt: '2025-03-15T10:00:00Z', amountMinor: '1000' });
    const b2 = await order({ memberId: b, placedAt: '2025-06-15T10:00:00Z', amountMinor: '1000' });
    let rows = await expectInSync();
    expect(rows).toHaveLength(5);
    expect(rows.find((r) => r.order_id === a2.id)).toMatchObject({ seq: 2, member_id: a });

    // A late order placed before all of a's: everything of a's renumbers.
    const a0 = await order({ memberId: a, placedAt: '2025-01-01T10:00:00Z', amountMinor: '500' });
    rows = await expectInSync();
    expect(rows.find((r) => r.order_id === a0.id)).toMatchObject({ seq: 1, prev_at: null });
    expect(rows.find((r) => r.order_id === a1.id)?.seq).toBe(2);

    // A full refund takes a2 out (no longer counted); a partial refund of a3 keeps it.
    await t
      .http()
      .post(`/v1/orders/${a2.id}/refunds`)
      .set(auth())
      .send({ externalId: 'RF-a2', amountMinor: '2000' })
      .expect(201);
    await t
      .http()
      .post(`/v1/orders/${a3.id}/refunds`)
      .set(auth())
      .send({ externalId: 'RF-a3', amountMinor: '100' })
      .expect(201);
    rows = await expectInSync();
    expect(rows.map((r) => r.order_id)).not.toContain(a2.id);
    expect(rows.find((r) => r.order_id === a3.id)?.seq).toBe(3);

    // b2 cancelled by the source re-sending it with a new status.
    const cancel = await t
      .http()
      .post('/v1/orders')
      .set(auth())
      .send(
        orderBody({
          memberId: b,
          externalId: b2.externalId,
          placedAt: '2025-06-15T10:00:00Z',
          amountMinor: '1000',
          status: 'cancelled',
        }),
      );
    expect([200, 201]).toContain(cancel.status);
    rows = await expectInSync();
    expect(rows.map((r) => r.order_id)).not.toContain(b2.id);

    // An order nobody matches yet, then the member it belongs to appears.
    const late = await order({ identities: { unionid: 'seq-c' }, placedAt: '2025-02-01T10:00:00Z' });
    expect((await stored()).map((r) => r.order_id)).not.toContain(late.id);
    const c = await member('seq-c');
    const [{ member_id }] = await ds.query(`SELECT member_id FROM orders WHERE id = $1`, [late.id]);
    expect(member_id).toBe(c);
    rows = await expectInSync();
    expect(rows.find((r) => r.order_id === late.id)).toMatchObject({ member_id: c, seq: 1 });

    // b merged into a: b's counted order joins a's sequence, in placed order.
    await t.http().post('/v1/members/merge').set(auth()).send({ survivorId: a, mergedId: b }).expect(200);
    rows = await expectInSync();
    expect(rows.filter((r) => r.member_id === b)).toEqual([]);
    const ofA = rows.filter((r) => r.member_id === a).sort((x, y) => x.seq - y.seq);
    expect(ofA.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(ofA.map((r) => r.order_id)).toEqual([a0.id, a1.id, b1.id, a3.id]);
  });
});
