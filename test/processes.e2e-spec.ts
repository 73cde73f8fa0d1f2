import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DIST, freePort, spawnApp, waitFor } from './support/processes';

const execFileAsync = promisify(execFile);
// jest gives each test file its own copy of process.env: pass it on explicitly.
const run = (file: string, args: string[]) => execFileAsync(file, args, { env: process.env });

describe('the built entry points as real processes (e2e)', () => {
  const email = `cli-owner-${Date.now()}@test.siyu`;
  const password = 'a-long-cli-password';

  it('brand:create makes the first brand and owner; bad input is refused with the field named', async () => {
    const cli = join(DIST, 'apps', 'cli', 'src', 'main.js');
    const { stdout } = await run(process.execPath, [
      cli,
      'brand:create',
      '--name',
      'CLI Tea',
      '--owner-email',
      email,
      '--password',
      password,
    ]);
    const created = JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
    expect(created).toMatchObject({ ownerEmail: email });
    expect(created.brandId).toMatch(/^[0-9a-f-]{36}$/);

    const bad = await run(process.execPath, [
      cli,
      'brand:create',
      '--name',
      'X',
      '--owner-email',
      'not-an-email',
      '--password',
      'short',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toMatch(/ownerEmail/);
    expect((bad as { stderr: string }).stderr).toMatch(/password/);
  });

  it('logs one JSON line per request with its id and brand id, and no personal data', async () => {
    const port = await freePort();
    const api = spawnApp('api', { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(
        async () => ((await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined),
        30_000,
        'API',
      );
      const login = await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const me = await fetch(`${base}/v1/me`, {
        headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'log-check-1' },
      });
      const body = (await me.json()) as { brand: { id: string } };
      const line = await waitFor(
        async () =>
          api
            .output()
            .split('\n')
            .find((l) => l.includes('"log-check-1"') && l.includes('request completed')),
        10_000,
        'the request log line',
      );
      const entry = JSON.parse(line);
      expect(entry).toMatchObject({
        req: { id: 'log-check-1', method: 'GET', url: '/v1/me' },
        brandId: body.brand.id,
        res: { statusCode: 200 },
      });
      expect(api.output()).not.toContain(email);
      expect(api.output()).not.toContain(accessToken);
    } finally {
      await api.stop();
    }
  });
});
