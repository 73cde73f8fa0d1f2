import { createDecipheriv, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { RunningSim, startSim } from '../sim-app';
import { SimClient } from '../testing/sim-client';

const TOKEN = 'siyu-callback-token';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP_ID = 'ww-sim-corp';

/** The receiver's own decrypt, written from WeCom's documentation, independent of the sim's code. */
function siyuDecrypt(encrypt: string): { xml: string; receiveId: string } {
  const key = Buffer.from(`${AES_KEY}=`, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(encrypt, 'base64'), decipher.final()]);
  const plain = padded.subarray(0, padded.length - padded[padded.length - 1]);
  const len = plain.readUInt32BE(16);
  return {
    xml: plain.subarray(20, 20 + len).toString('utf8'),
    receiveId: plain.subarray(20 + len).toString('utf8'),
  };
}

const sha1 = (parts: string[]) =>
  createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
const field = (xml: string, name: string) =>
  new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`)
    .exec(xml)
    ?.slice(1)
    .find((v) => v !== undefined);

interface Received {
  signatureOk: boolean;
  xml: string;
  receiveId: string;
  envelope: string;
}

describe('wecom-sim callback push', () => {
  let sim: RunningSim;
  let client: SimClient;
  const receiver = new FastifyAdapter({ logger: false }).getInstance();
  const received: Received[] = [];
  let receiverUrl: string;

  beforeAll(async () => {
    receiver.addContentTypeParser('text/xml', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/wecom/callback', async (req, reply) => {
      const q = req.query as Record<string, string>;
      const envelope = req.body as string;
      const encrypt = field(envelope, 'Encrypt') ?? '';
      const signatureOk = sha1([TOKEN, q.timestamp, q.nonce, encrypt]) === q.msg_signature;
      received.push({ signatureOk, envelope, ...siyuDecrypt(encrypt) });
      return reply
        .code(signatureOk ? 200 : 403)
        .type('text/plain')
        .send(signatureOk ? 'success' : 'bad signature');
    });
    receiver.post('/broken', async (_req, reply) => reply.code(500).send('boom'));
    receiver.get('/wecom/callback', async (req, reply) => {
      const q = req.query as Record<string, string>;
      if (sha1([TOKEN, q.timestamp, q.nonce, q.echostr]) !== q.msg_signature)
        return reply.code(403).send('bad signature');
      return reply.type('text/plain').send(siyuDecrypt(q.echostr).xml);
    });
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    receiverUrl = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    sim = await startSim({ port: 0 });
    client = new SimClient(sim.url);
  });
  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    received.length = 0;
    await client.reset();
  });

  const target = (path = '/wecom/callback') => ({
    url: `${receiverUrl}${path}`,
    token: TOKEN,
    encodingAESKey: AES_KEY,
    corpId: CORP_ID,
  });

  it('pushes an encrypted, signed change_external_chat event that Siyu can verify and decrypt', async () => {
    const result = await client.post<{ status: number; body: string }>('/_sim/callbacks', {
      ...target(),
      agentId: '1000002',
      event: {
        Event: 'change_external_chat',
        ChatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        JoinScene: 1,
        MemChangeCnt: 2,
      },
    });
    expect(result).toMatchObject({ status: 200, body: 'success' });
    expect(received).toHaveLength(1);
    const [got] = received;
    expect(got.signatureOk).toBe(true);
    expect(got.receiveId).toBe(CORP_ID);
    expect(field(got.envelope, 'ToUserName')).toBe(CORP_ID);
    expect(field(got.envelope, 'AgentID')).toBe('1000002');
    expect(field(got.xml, 'MsgType')).toBe('event');
    expect(field(got.xml, 'Event')).toBe('change_external_chat');
    expect(field(got.xml, 'ChangeType')).toBe('update');
    expect(field(got.xml, 'UpdateDetail')).toBe('add_member');
    expect(field(got.xml, 'JoinScene')).toBe('1');
    expect(field(got.xml, 'ChatId')).toBe('wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA');
    expect(Number(field(got.xml, 'CreateTime'))).toBeGreaterThan(1_700_000_000);
  });

  it('issues a WelcomeCode with add_external_contact that send_welcome_msg accepts once', async () => {
    const result = await client.post<{ status: number; welcome_code: string }>('/_sim/callbacks', {
      ...target(),
      event: {
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: 'zhangsan',
        ExternalUserID: 'wmNew',
        State: 'ad-42',
      },
    });
    expect(result.status).toBe(200);
    expect(field(received[0].xml, 'WelcomeCode')).toBe(result.welcome_code);
    expect(field(received[0].xml, 'State')).toBe('ad-42');
    const token = await client.wecomToken();
    const welcome = { welcome_code: result.welcome_code, text: { content: '欢迎！' } };
    expect(await client.cgi('externalcontact/send_welcome_msg', token, welcome)).toMatchObject({
      errcode: 0,
    });
    expect(await client.cgi('externalcontact/send_welcome_msg', token, welcome)).toMatchObject({
      errcode: 41051,
    });
    expect((await client.messages('wmNew')).total).toBe(1);
  });

  it('reports Siyu’s own status, and a null status when Siyu cannot be reached', async () => {
    const broken = await client.post('/_sim/callbacks', {
      ...target('/broken'),
      event: { Event: 'change_external_contact', ChangeType: 'del_follow_user' },
    });
    expect(broken).toMatchObject({ status: 500, body: 'boom' });
    const wrongToken = await client.post('/_sim/callbacks', {
      ...target(),
      token: 'not-siyus-token',
      event: { Event: 'x' },
    });
    expect(wrongToken).toMatchObject({ status: 403 });
    const down = await client.post('/_sim/callbacks', {
      ...target(),
      url: 'http://127.0.0.1:1/cb',
      event: { Event: 'x' },
    });
    expect(down).toMatchObject({ status: null, error: expect.any(String) });
    expect((await client.stats()).callbacks).toEqual({ '500': 1, '403': 1, failed: 1 });
  });

  it('runs the echostr URL verification against Siyu', async () => {
    expect(await client.post('/_sim/callbacks/verify', target())).toMatchObject({
      status: 200,
      echoed: true,
    });
    expect(await client.post('/_sim/callbacks/verify', { ...target(), token: 'wrong' })).toMatchObject({
      status: 403,
      echoed: false,
    });
  });

  it('rejects a malformed push request with 400', async () => {
    expect(
      (await client.request('POST', '/_sim/callbacks', { ...target(), encodingAESKey: 'short', event: {} }))
        .status,
    ).toBe(400);
    expect((await client.request('POST', '/_sim/callbacks', { ...target() })).status).toBe(400);
  });
});
