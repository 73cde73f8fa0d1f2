import { RunningSim, startSim } from '../sim-app';
import { CgiReply, SimClient } from '../testing/sim-client';

const send = { external_userid: ['wm1'], text: { content: 'hello' } };

describe('wecom-sim fault injection over HTTP', () => {
  let sim: RunningSim;
  let client: SimClient;
  let token: string;

  beforeAll(async () => {
    sim = await startSim({ port: 0 });
    client = new SimClient(sim.url);
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await client.reset();
    token = await client.wecomToken();
  });

  const addMsg = (sender?: string): Promise<CgiReply> =>
    client.cgi('externalcontact/add_msg_template', token, sender ? { ...send, sender } : send);

  it('fails about `rate` of calls with the errcode, the same calls for the same seed', async () => {
    const run = async () => {
      await client.clearFaults();
      await client.faults([{ path: 'add_msg_template', errcode: 45033, rate: 0.2 }], 7);
      const codes: number[] = [];
      for (let i = 0; i < 200; i++) codes.push((await addMsg()).errcode);
      return codes;
    };
    const first = await run();
    const failed = first.filter((c) => c === 45033).length;
    expect(failed).toBeGreaterThan(20);
    expect(failed).toBeLessThan(60);
    expect(first.filter((c) => c !== 45033 && c !== 0)).toEqual([]);
    expect(await run()).toEqual(first);
    // Other APIs are untouched, and the stats count the injected errors.
    expect((await client.cgi('externalcontact/groupchat/list', token, { limit: 1 })).errcode).toBe(0);
    const stats = await client.stats();
    expect(stats.apis['externalcontact/add_msg_template'].errors['45033']).toBe(failed * 2);
  });

  it('answers 45009 above the per-sender rate limit, under real concurrency', async () => {
    await client.faults([{ path: 'add_msg_template', rateLimit: { perSecond: 5, by: 'sender' } }]);
    // Align to the start of a second so all calls share one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 12 }, () => addMsg('zhangsan'))),
      Promise.all(Array.from({ length: 3 }, () => addMsg('lisi'))),
    ]);
    expect(a.filter((r) => r.errcode === 0)).toHaveLength(5);
    expect(a.filter((r) => r.errcode === 45009)).toHaveLength(7);
    expect(b.map((r) => r.errcode)).toEqual([0, 0, 0]);
  });

  it('adds latency to matching calls', async () => {
    await client.faults([{ path: 'groupchat/list', latencyMs: [150, 200] }]);
    const t0 = Date.now();
    expect((await client.cgi('externalcontact/groupchat/list', token, { limit: 1 })).errcode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(145);
    const t1 = Date.now();
    await addMsg();
    expect(Date.now() - t1).toBeLessThan(100);
  });

  it('returns -1 during an outage window and recovers after it', async () => {
    await client.faults([{ outage: { durationMs: 300, mode: 'error' } }]);
    expect(await addMsg()).toMatchObject({ errcode: -1 });
    expect(await client.get('/cgi-bin/gettoken?corpid=a&corpsecret=b')).toMatchObject({ errcode: -1 });
    expect((await client.stats()).apis.gettoken.errors).toEqual({ '-1': 1 });
    await new Promise((r) => setTimeout(r, 350));
    expect(await addMsg()).toMatchObject({ errcode: 0 });
  });

  it('resets connections in a refuse outage and holds them in a hang outage, while /_sim stays up', async () => {
    await client.faults([{ path: 'add_msg_template', outage: { durationMs: 10_000, mode: 'refuse' } }]);
    await expect(addMsg()).rejects.toThrow();
    expect((await client.stats()).apis['externalcontact/add_msg_template'].errors).toEqual({ refused: 1 });
    await client.clearFaults();
    await client.faults([
      { path: 'add_msg_template', outage: { durationMs: 10_000, mode: 'hang', hangMs: 300 } },
    ]);
    const t0 = Date.now();
    await expect(addMsg()).rejects.toThrow();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    await client.clearFaults();
    expect(await addMsg()).toMatchObject({ errcode: 0 });
  });

  it('validates fault rules and lists them', async () => {
    expect((await client.request('POST', '/_sim/faults', { path: 'x' })).status).toBe(400);
    expect((await client.request('POST', '/_sim/faults', { errcode: 45033, rate: 2 })).status).toBe(400);
    expect(
      await client.post('/_sim/faults', { errcode: 45033, rate: 0.5, path: 'add_msg_template' }),
    ).toEqual({ ids: [expect.any(Number)] });
    expect(await client.get('/_sim/faults')).toEqual([
      expect.objectContaining({ errcode: 45033, rate: 0.5 }),
    ]);
  });
});
