import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEnvironment, runMigrations } from '@siyu/platform';
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { SimClient } from '../apps/wecom-sim/src/testing/sim-client';
import {
  Bench,
  ChildApp,
  DIST_ROOT,
  freePort,
  machineInfo,
  numberFlag,
  progress,
  ratio,
  round,
  startDistApp,
  stringFlag,
} from './support';

const SIYU_LOG_LEVEL = 'warn';
const POLL_MS = 500;
const PASSWORD = 'fanout-bench-owner-password';
const TARGET_SECONDS = 300;
/** Staff accounts the WeCom contacts are spread over (one add_msg_template per sender and 10,000). */
const STAFF = 10;
const OA_TEMPLATE = {
  kind: 'template',
  templateId: 'TPL_member_day',
  data: { first: { value: '{{member.nickname|朋友}}，会员日 8 折' }, remark: { value: '点击领取' } },
};

interface Seeded {
  brandId: string;
  email: string;
  oaAppId: string;
  appId: string;
  oaSegmentId: string;
  wecomSegmentId: string;
  seedSec: number | null;
}

interface Progress {
  status: string;
  audienceSize: number | null;
  counts: Record<string, number>;
  remaining: number;
  reasons: Array<{ status: string; reason: string; count: number }>;
  tasks: { open: number; done: number; cancelled: number; unknown: number };
}

interface CampaignRun {
  recipients: number;
  sent: number;
  skipped: number;
  failed: number;
  reasons: Progress['reasons'];
  totalSec: number;
  deliveriesPerSec: number;
  snapshotMs: number | null;
  /** Schedule → the campaign shows `sending` (the start job ran, the snapshot committed). */
  startMs: number;
  workerPeakRssMiB: number[];
  /** CPU (user + system) each part spent per delivered message, in microseconds. */
  cpuUsPerDelivery: Record<string, number>;
  simSent: number;
  simCalls: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function check(what: string, actual: unknown, expected: unknown): void {
  if (actual !== expected) throw new Error(`${what}: got ${String(actual)}, expected ${String(expected)}`);
}

async function call<T>(
  base: string,
  method: string,
  path: string,
  auth: Record<string, string>,
  body?: unknown,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Creates the bench database when it does not exist (DATABASE_URL names it). */
async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!rowCount) {
      progress(`creating database ${name}`);
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } finally {
    await admin.end();
  }
}

async function login(api: ChildApp, email: string): Promise<Record<string, string>> {
  const { accessToken } = await call<{ accessToken: string }>(
    api.baseUrl,
    'POST',
    '/v1/auth/login',
    {},
    {
      email,
      password: PASSWORD,
    },
  );
  return { authorization: `Bearer ${accessToken}` };
}

/**
 * The brand, its WeCom corp and OA app, its members with openids and WeCom contacts, and the two
 * segments: made once per size (SQL with generate_series) and reused by later runs.
 */
async function seed(db: Client, api: ChildApp, members: number, contacts: number): Promise<Seeded> {
  const name = `fanout-bench-${members}-${contacts}`;
  const email = `${name}@bench.siyu.test`;
  const { rows: found } = await db.query(
    `SELECT b.id,
            (SELECT count(*) FROM members m WHERE m.brand_id = b.id)::int AS members,
            (SELECT count(*) FROM member_identities i WHERE i.brand_id = b.id AND i.kind = 'openid')::int AS openids,
            (SELECT count(*) FROM community_contact_follows f WHERE f.brand_id = b.id AND f.status = 'active')::int AS follows,
            (SELECT count(*) FROM segments s WHERE s.brand_id = b.id)::int AS segments
       FROM brands b WHERE b.name = $1`,
    [name],
  );
  const existing = found[0] as
    { id: string; members: number; openids: number; follows: number; segments: number } | undefined;
  if (
    existing &&
    existing.members === members &&
    existing.openids === members &&
    existing.follows === contacts &&
    existing.segments === 2
  ) {
    const { rows } = await db.query(
      `SELECT a.id, a.app_id, (SELECT id FROM segments WHERE brand_id = $1 AND name = 'fanout all') AS oa_seg,
              (SELECT id FROM segments WHERE brand_id = $1 AND name = 'fanout wecom') AS wecom_seg
         FROM channel_oa_apps a WHERE a.brand_id = $1`,
      [existing.id],
    );
    progress(`reusing brand ${existing.id} (${members} members, ${contacts} WeCom contacts)`);
    return {
      brandId: existing.id,
      email,
      oaAppId: rows[0].id,
      appId: rows[0].app_id,
      oaSegmentId: rows[0].oa_seg,
      wecomSegmentId: rows[0].wecom_seg,
      seedSec: null,
    };
  }
  const started = performance.now();
  if (existing) {
    progress(`dropping an incomplete seed of ${name}`);
    await db.query(`DELETE FROM brands WHERE id = $1`, [existing.id]);
  }
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(DIST_ROOT, 'apps/cli/src/main.js'),
    'brand:create',
    '--name',
    name,
    '--owner-email',
    email,
    '--password',
    PASSWORD,
  ]);
  const line = stdout.split('\n').find((l) => l.startsWith('{"brandId"'));
  if (!line) throw new Error(`brand:create printed no brand: ${stdout}`);
  const { brandId } = JSON.parse(line) as { brandId: string };
  const owner = await login(api, email);
  const tag = brandId.replace(/-/g, '').slice(0, 10);
  await call(api.baseUrl, 'PUT', '/v1/channels/wecom', owner, {
    corpId: `ww${tag}`,
    contactSecret: `secret-${tag}`,
    callbackToken: 'siyuCallbackToken1',
    encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  });
  const appId = `wx${tag}`;
  const app = await call<{ id: string }>(api.baseUrl, 'POST', '/v1/channels/oa-apps', owner, {
    name: 'Service',
    appId,
    secret: 'sim-secret',
  });
  progress(`seeding ${members} members with openids (${contacts} of them WeCom contacts)`);
  await db.query(
    `INSERT INTO members (brand_id, source_channel, nickname, joined_at)
     SELECT $1, CASE WHEN g <= $3 THEN 'wecom' ELSE 'wechat_oa' END, '会员' || g, now() - (g % 900) * interval '1 day'
       FROM generate_series(1, $2) g`,
    [brandId, members, contacts],
  );
  await db.query(
    `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value)
     SELECT $1, m.id, 'openid', $2, 'oFan' || left(md5(m.id::text), 24) FROM members m WHERE m.brand_id = $1`,
    [brandId, appId],
  );
  await db.query(
    `INSERT INTO community_staff (brand_id, userid, name)
     SELECT $1, 'fanout-staff-' || s, 'Staff ' || s FROM generate_series(1, ${STAFF}) s`,
    [brandId],
  );
  await db.query(
    `INSERT INTO community_contact_follows (brand_id, staff_id, external_userid, member_id, status, added_at)
     SELECT $1, s.id, 'wmFan' || left(md5(m.id::text), 24), m.id, 'active', now()
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM members
              WHERE brand_id = $1 AND source_channel = 'wecom') m
       JOIN (SELECT id, row_number() OVER (ORDER BY userid) - 1 AS k FROM community_staff WHERE brand_id = $1) s
         ON s.k = m.rn % ${STAFF}`,
    [brandId],
  );
  await db.query(`ANALYZE members; ANALYZE member_identities; ANALYZE community_contact_follows`);
  const oaSeg = await call<{ id: string }>(api.baseUrl, 'POST', '/v1/segments', owner, {
    name: 'fanout all',
    rule: { field: 'source_channel', op: 'in', value: ['wechat_oa', 'wecom'] },
  });
  const wecomSeg = await call<{ id: string }>(api.baseUrl, 'POST', '/v1/segments', owner, {
    name: 'fanout wecom',
    rule: { field: 'source_channel', op: 'eq', value: 'wecom' },
  });
  const seedSec = round((performance.now() - started) / 1000, 1);
  progress(`seeded in ${seedSec} s`);
  return {
    brandId,
    email,
    oaAppId: app.id,
    appId,
    oaSegmentId: oaSeg.id,
    wecomSegmentId: wecomSeg.id,
    seedSec,
  };
}

/** Forgets the brand's campaigns (their ledgers too), so every run starts from the same state. */
async function dropCampaigns(db: Client, brandId: string): Promise<void> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM campaigns WHERE brand_id = $1`, [brandId]);
  if (rows.length === 0) return;
  const ids = rows.map((r) => r.id);
  await db.query(`DELETE FROM campaign_deliveries WHERE campaign_id = ANY($1::uuid[])`, [ids]);
  await db.query(`DELETE FROM campaign_tasks WHERE campaign_id = ANY($1::uuid[])`, [ids]);
  await db.query(`DELETE FROM campaign_chunks WHERE campaign_id = ANY($1::uuid[])`, [ids]);
  await db.query(`DELETE FROM campaigns WHERE id = ANY($1::uuid[])`, [ids]);
  await db.query(`VACUUM ANALYZE campaign_deliveries`);
}

const statusKiB = (pid: number, field: 'VmHWM' | 'VmRSS'): number => {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** Peak RSS of each worker during a phase: VmHWM reset at its start (clear_refs 5), RSS polled too. */
function rssWatch(pids: number[]) {
  for (const pid of pids) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // not allowed here: the polled maximum stands alone
    }
  }
  const peak = pids.map((pid) => statusKiB(pid, 'VmRSS'));
  const timer = setInterval(() => {
    pids.forEach((pid, i) => (peak[i] = Math.max(peak[i], statusKiB(pid, 'VmRSS'))));
  }, 250);
  return () => {
    clearInterval(timer);
    return pids.map((pid, i) => round(Math.max(peak[i], statusKiB(pid, 'VmHWM')) / 1024, 1));
  };
}

/** user + system CPU of a process so far, in clock ticks (0 when it is gone). */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** Pids of every process whose command name is `comm` (Postgres backends, redis-server). */
function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim().startsWith(comm)) pids.push(Number(entry));
    } catch {
      // exited between readdir and read
    }
  }
  return pids;
}

/**
 * CPU each part of the system spends during a phase: Siyu's processes by pid, every Postgres
 * process and Redis by name (a backend that exits mid-phase loses its share, so Postgres is a lower
 * bound), and this bench process. CPU time is what a faster machine or a quieter one cannot change,
 * so it compares runs taken under different load better than wall time does.
 */
function cpuWatch(parts: Record<string, number[]>) {
  const TICK_US = 10_000; // USER_HZ is 100 on Linux
  const named = () => ({ postgres: pidsNamed('postgres'), redis: pidsNamed('redis-server') });
  const snapshot = () => {
    const all: Record<string, Map<number, number>> = {};
    for (const [part, pids] of Object.entries({ ...parts, ...named() }))
      all[part] = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
    return all;
  };
  const start = snapshot();
  const benchStart = process.cpuUsage();
  return (deliveries: number): Record<string, number> => {
    const end = snapshot();
    const out: Record<string, number> = {};
    for (const [part, pids] of Object.entries(end)) {
      let ticks = 0;
      for (const [pid, t] of pids) ticks += t - (start[part]?.get(pid) ?? 0);
      out[part] = round((ticks * TICK_US) / Math.max(1, deliveries), 1);
    }
    const b = process.cpuUsage(benchStart);
    out.bench = round((b.user + b.system) / Math.max(1, deliveries), 1);
    out.total = round(
      Object.values(out).reduce((a, v) => a + v, 0),
      1,
    );
    return out;
  };
}

async function runCampaign(
  api: ChildApp,
  auth: Record<string, string>,
  sim: SimClient,
  workers: ChildApp[],
  body: object,
  simApi: string,
  simPid: number,
): Promise<CampaignRun> {
  const before = await sim.stats();
  const created = await call<{ id: string }>(api.baseUrl, 'POST', '/v1/campaigns', auth, body);
  const stopRss = rssWatch(workers.map((w) => w.pid));
  const stopCpu = cpuWatch({ workers: workers.map((w) => w.pid), api: [api.pid], sim: [simPid] });
  const started = performance.now();
  await call(api.baseUrl, 'POST', `/v1/campaigns/${created.id}/schedule`, auth, {});
  let startMs = 0;
  let lastLog = 0;
  let p: Progress;
  for (;;) {
    p = await call<Progress>(api.baseUrl, 'GET', `/v1/campaigns/${created.id}/progress`, auth);
    if (!startMs && p.status !== 'scheduled') startMs = Math.round(performance.now() - started);
    if (['completed', 'cancelled', 'failed'].includes(p.status) && p.remaining === 0) break;
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      progress(
        `  ${Math.round((performance.now() - started) / 1000)} s: ${p.status}, sent ${p.counts.sent ?? 0}, remaining ${p.remaining}`,
      );
    }
    await sleep(POLL_MS);
  }
  const totalMs = performance.now() - started;
  const peaks = stopRss();
  const cpuUsPerDelivery = stopCpu(p.counts.sent ?? 0);
  if (p.status !== 'completed') throw new Error(`campaign ${created.id} ended ${p.status}`);
  const c = await call<{ snapshotMs: number | null; audienceSize: number }>(
    api.baseUrl,
    'GET',
    `/v1/campaigns/${created.id}`,
    auth,
  );
  const after = await sim.stats();
  const simCalls = Object.fromEntries(
    Object.entries(after.apis)
      .map(([k, v]) => [k, v.calls - (before.apis[k]?.calls ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
  const recipients = c.audienceSize;
  return {
    recipients,
    sent: p.counts.sent ?? 0,
    skipped: p.counts.skipped ?? 0,
    failed: p.counts.failed ?? 0,
    reasons: p.reasons,
    totalSec: round(totalMs / 1000, 1),
    deliveriesPerSec: round(((p.counts.sent ?? 0) * 1000) / totalMs, 0),
    snapshotMs: c.snapshotMs,
    startMs,
    workerPeakRssMiB: peaks,
    cpuUsPerDelivery,
    simSent: (after.messages.byApi[simApi] ?? 0) - (before.messages.byApi[simApi] ?? 0),
    simCalls,
  };
}

/** No-op jobs through a bare BullMQ Worker on the same Redis, same total concurrency, in process. */
async function bareBullmq(redisUrl: string, prefix: string, jobs: number, concurrency: number) {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const name = 'fanout-bare';
  const queue = new Queue(name, { connection, prefix });
  try {
    await queue.obliterate({ force: true });
    const addStarted = performance.now();
    for (let i = 0; i < jobs; i += 1_000) {
      await queue.addBulk(
        Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({
          name: 'noop',
          data: { n: i + k },
          opts: { jobId: `bare-${i + k}`, removeOnComplete: { age: 3_600, count: 10_000 } },
        })),
      );
    }
    const addMs = performance.now() - addStarted;
    let completed = 0;
    let resolveDone: () => void = () => undefined;
    const drained = new Promise<void>((r) => (resolveDone = r));
    const started = performance.now();
    const workerConnection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    const worker = new Worker(name, async () => undefined, {
      connection: workerConnection,
      prefix,
      concurrency,
    });
    worker.on('completed', () => {
      if (++completed === jobs) resolveDone();
    });
    await drained;
    const drainMs = performance.now() - started;
    await worker.close();
    await workerConnection.quit();
    await queue.obliterate({ force: true });
    return {
      jobs,
      concurrency,
      addBulkMs: Math.round(addMs),
      drainMs: Math.round(drainMs),
      jobsPerSec: round((jobs * 1000) / drainMs, 0),
    };
  } finally {
    await queue.close();
    await connection.quit();
  }
}

/** How many workers of the campaigns queue are connected to Redis. */
function campaignWorkersCount(redisUrl: string, prefix: string) {
  const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('campaigns', { connection, prefix });
  return {
    count: () => queue.getWorkersCount(),
    close: async () => {
      await queue.close();
      await connection.quit();
    },
  };
}

/**
 * A 1,000,000-recipient OA template campaign and a 100,000-recipient WeCom 1:1 campaign end to end
 * (API + worker process(es) from dist/, wecom-sim as the WeCom/WeChat servers), against bare BullMQ
 * no-op jobs at the same concurrency in the same run.
 */
const bench: Bench = {
  description: 'deliveries/s of a 1M OA and a 100k WeCom 1:1 campaign end to end vs bare BullMQ jobs/s',
  async run(args) {
    const members = numberFlag(args, 'members', 1_000_000);
    const contacts = numberFlag(args, 'contacts', Math.round(members / 10));
    const workerCount = numberFlag(args, 'workers', 2);
    const bareJobs = numberFlag(args, 'bare-jobs', 100_000);
    // --cpu-prof DIR: the sim and the workers write V8 CPU profiles there when they exit.
    const profDir = stringFlag(args, 'cpu-prof');
    const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const env = loadEnvironment();
    const concurrency = env.CAMPAIGN_WORKER_CONCURRENCY;
    await ensureDatabase(env.DATABASE_URL);
    progress('running migrations');
    await runMigrations(env, (line) => progress(line));

    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    const children: ChildApp[] = [];
    let brandId: string | undefined;
    try {
      const simPort = await freePort();
      const simUrl = `http://127.0.0.1:${simPort}`;
      const simApp = await startDistApp({
        name: 'wecom-sim',
        script: 'apps/wecom-sim/src/main.js',
        port: simPort,
        env: { WECOM_BASE_URL: simUrl },
        nodeArgs: profDir ? [...nodeArgs, '--cpu-prof-name=sim.cpuprofile'] : [],
      });
      children.push(simApp);
      const sim = new SimClient(simUrl);
      const channelEnv = { WECOM_BASE_URL: simUrl, WECHAT_BASE_URL: simUrl, LOG_LEVEL: SIYU_LOG_LEVEL };
      const api = await startDistApp({ name: 'siyu-api', script: 'apps/api/src/main.js', env: channelEnv });
      children.push(api);
      const seeded = await seed(db, api, members, contacts);
      brandId = seeded.brandId;
      await dropCampaigns(db, brandId);

      const owner = await login(api, seeded.email);
      // Campaigns are not cap-exempt: the cap is checked per claimed row, but set high enough that
      // repeated runs (each deletes its campaigns at the end) are never capped.
      await call(api.baseUrl, 'PATCH', '/v1/brand', owner, {
        frequencyCapCount: 100,
        frequencyCapWindowHours: 24,
      });
      const key = await call<{ key: string }>(api.baseUrl, 'POST', '/v1/api-keys', owner, {
        name: `campaign-fanout bench ${Date.now()}`,
        role: 'operator',
      });
      const auth = { 'x-api-key': key.key };

      progress(`starting ${workerCount} worker process(es), concurrency ${concurrency} each`);
      const workersUp = campaignWorkersCount(env.REDIS_URL, env.QUEUE_PREFIX);
      let workers: ChildApp[];
      try {
        workers = await Promise.all(
          Array.from({ length: workerCount }, (_, i) =>
            startDistApp({
              name: `siyu-worker-${i + 1}`,
              script: 'apps/worker/src/main.js',
              env: channelEnv,
              nodeArgs: profDir ? [...nodeArgs, `--cpu-prof-name=worker-${i + 1}.cpuprofile`] : [],
              ready: async () => (await workersUp.count()) >= workerCount,
            }),
          ),
        );
      } finally {
        await workersUp.close();
      }
      children.push(...workers);

      progress(`OA template campaign to ${members} members`);
      const oa = await runCampaign(
        api,
        auth,
        sim,
        workers,
        {
          name: `fanout OA ${members}`,
          channel: 'oa',
          oaAppId: seeded.oaAppId,
          audience: { kind: 'segment', segmentId: seeded.oaSegmentId },
          message: { oa: OA_TEMPLATE },
          quietHoursExempt: true,
        },
        'message/template/send',
        simApp.pid,
      );
      progress(`OA: ${oa.sent} sent in ${oa.totalSec} s (${oa.deliveriesPerSec}/s)`);

      progress(`WeCom 1:1 campaign to ${contacts} contacts`);
      const wecom = await runCampaign(
        api,
        auth,
        sim,
        workers,
        {
          name: `fanout WeCom ${contacts}`,
          channel: 'wecom_single',
          audience: { kind: 'segment', segmentId: seeded.wecomSegmentId },
          message: { text: '会员日全场 8 折，今晚 8 点开抢' },
          quietHoursExempt: true,
        },
        'externalcontact/add_msg_template',
        simApp.pid,
      );
      progress(`WeCom 1:1: ${wecom.sent} sent in ${wecom.totalSec} s (${wecom.deliveriesPerSec}/s)`);

      const stats = await sim.stats();
      check('sim duplicates.recipients', stats.duplicates.recipients, 0);
      check('OA: audience', oa.recipients, members);
      check('OA: sent + skipped', oa.sent + oa.skipped, oa.recipients);
      check('OA: sent at the simulator', oa.simSent, oa.sent);
      check('WeCom: audience', wecom.recipients, contacts);
      check('WeCom: sent + skipped', wecom.sent + wecom.skipped, wecom.recipients);
      check('WeCom: sent at the simulator', wecom.simSent, wecom.sent);

      for (const w of workers) await w.stop();
      children.splice(children.indexOf(workers[0]), workers.length);

      progress(`bare BullMQ: ${bareJobs} no-op jobs, concurrency ${concurrency * workerCount}`);
      const bare = await bareBullmq(
        env.REDIS_URL,
        `${env.QUEUE_PREFIX}-bare`,
        bareJobs,
        concurrency * workerCount,
      );
      progress(`bare BullMQ: ${bare.jobsPerSec} jobs/s`);

      return {
        bench: 'campaign-fanout',
        machine: machineInfo(),
        members,
        contacts,
        seedSec: seeded.seedSec,
        workers: workerCount,
        workerConcurrency: concurrency,
        logLevel: SIYU_LOG_LEVEL,
        oa,
        wecomSingle: wecom,
        sim: {
          duplicates: stats.duplicates,
          oaReplayed: stats.oaReplayed,
          messages: stats.messages.total,
          rssMiB: round(stats.memory.rssBytes / 1_048_576, 1),
        },
        bareBullmq: bare,
        ratio: {
          oaToBare: ratio(oa.deliveriesPerSec, bare.jobsPerSec),
          wecomSingleToBare: ratio(wecom.deliveriesPerSec, bare.jobsPerSec),
        },
        target: {
          oaSeconds: TARGET_SECONDS,
          met: members >= 1_000_000 ? oa.totalSec <= TARGET_SECONDS : null,
        },
        at: new Date().toISOString(),
      };
    } finally {
      for (const child of children.reverse()) await child.stop().catch(() => undefined);
      if (brandId) await dropCampaigns(db, brandId).catch(() => undefined);
      await db.end();
    }
  },
};

export default bench;
