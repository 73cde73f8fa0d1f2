import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';
import { freePort, spawnApp, waitFor } from './support/processes';

describe('platform routes (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await createBrand(t.app);
  });
  afterAll(() => t.close());

  it('GET /health answers 200 with Postgres and Redis up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('GET /health answers 503 when Redis is unreachable (a real API process pointed at a dead port)', async () => {
    const port = await freePort();
    const deadRedis = await freePort();
    const api = spawnApp('api', {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
      LOG_LEVEL: 'error',
    });
    try {
      const res = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
          return r ? r : undefined;
        },
        30_000,
        'the API to listen',
      );
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; error: Record<string, { status: string }> };
      expect(body.status).toBe('error');
      expect(body.error.redis.status).toBe('down');
    } finally {
      await api.stop('SIGKILL');
    }
  });

  it('serves OpenAPI with every route and its DTOs', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/v1/auth/login',
      '/v1/auth/refresh',
      '/v1/auth/logout',
      '/v1/me',
      '/v1/operators',
      '/v1/operators/{id}',
      '/v1/api-keys',
      '/v1/api-keys/{id}',
      '/v1/brand',
      '/v1/audit-log',
      '/health',
    ]) {
      expect(paths).toContain(p);
    }
    const schemas = res.body.components.schemas;
    expect(Object.keys(schemas.LoginDto.properties)).toEqual(['email', 'password']);
    expect(schemas.OperatorCreateDto.properties.role.enum).toEqual([
      'owner',
      'operator',
      'community_manager',
      'marketer',
    ]);
    expect(res.body.paths['/v1/operators'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/OperatorCreateDto',
    );
    const html = await t.http().get('/docs').redirects(1).expect(200);
    expect(html.text).toContain('swagger');
  });

  it('exposes Prometheus metrics: HTTP latency, queue depths and process metrics', async () => {
    await t.http().get('/health').expect(200);
    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/health".*\} \d+/);
    expect(res.text).toMatch(/bullmq_queue_jobs\{queue="platform-maintenance",state="waiting"\} \d+/);
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('guards bull-board at /admin/queues: owners only, by token or HTTP Basic', async () => {
    const none = await t.http().get('/admin/queues').expect(401);
    expect(none.headers['www-authenticate']).toContain('Basic');
    const marketer = await createOperator(t.app, brand, 'marketer');
    await t.http().get('/admin/queues').set('authorization', `Bearer ${marketer.token}`).expect(403);
    const ok = await t
      .http()
      .get('/admin/queues')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .expect(200);
    expect(ok.text).toContain('<html');
    const basic = Buffer.from(`${brand.owner.email}:${brand.owner.password}`).toString('base64');
    const api = await t
      .http()
      .get('/admin/queues/api/queues')
      .set('authorization', `Basic ${basic}`)
      .expect(200);
    expect(JSON.stringify(api.body)).toContain('platform-maintenance');
    const wrong = Buffer.from(`${brand.owner.email}:nope`).toString('base64');
    await t.http().get('/admin/queues').set('authorization', `Basic ${wrong}`).expect(401);
  });

  it('echoes a well-formed x-request-id and generates one otherwise', async () => {
    const given = await t.http().get('/health').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const bad = await t.http().get('/health').set('x-request-id', 'has spaces & <script>');
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('API graceful shutdown (e2e)', () => {
  it('drains a request in flight before closing', async () => {
    const { Controller, Get, Module } = await import('@nestjs/common');
    const { Public } = await import('@siyu/platform');
    @Controller('v1/test-slow')
    class SlowController {
      @Get()
      @Public()
      async slow(): Promise<{ done: boolean }> {
        await new Promise((r) => setTimeout(r, 800));
        return { done: true };
      }
    }
    @Module({ controllers: [SlowController] })
    class SlowModule {}
    const t = await createTestApp(SlowModule);
    const inFlight = t
      .http()
      .get('/v1/test-slow')
      .then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const closing = t.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
    await closing;
  }, 20_000);
});
