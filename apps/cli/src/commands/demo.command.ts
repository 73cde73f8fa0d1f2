import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig, BrandsService } from '@siyu/platform';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DemoContext, makeApi } from '../demo/demo-context';
import { DEMO_STEPS } from '../demo/steps';

interface Options {
  serve: boolean;
}

const dist = join(__dirname, '..', '..', '..', '..');

/**
 * `npm run demo`: seeds a demo brand with a freshly generated owner password, starts the API, the
 * worker and wecom-sim, tells the story of each capability through the API, then keeps serving.
 */
@Command({ name: 'demo', description: 'Seed a demo brand, start Siyu and walk through its capabilities' })
export class DemoCommand extends CommandRunner {
  private children: ChildProcess[] = [];

  constructor(
    private readonly brands: BrandsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_: string[], o: Options): Promise<void> {
    const port = this.config.get('PORT');
    const baseUrl = `http://127.0.0.1:${port}`;
    const password = randomBytes(12).toString('base64url');
    const tag = randomBytes(3).toString('hex');
    const ownerEmail = `owner-${tag}@demo.siyu.test`;
    const { brand } = await this.brands.createWithOwner({
      name: `Demo Tea Co. ${tag}`,
      ownerEmail,
      password,
    });

    const logs = join(process.cwd(), '.demo');
    mkdirSync(logs, { recursive: true });
    for (const app of ['api', 'worker', 'wecom-sim']) this.start(app, join(logs, `${app}.log`));
    process.once('SIGINT', () => this.stop(0));
    process.once('SIGTERM', () => this.stop(0));
    await waitForHealth(`${baseUrl}/health`, 60_000);

    const login = await fetch(`${baseUrl}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: ownerEmail, password }),
    });
    if (!login.ok) throw new Error(`demo login failed: ${login.status} ${await login.text()}`);
    const tokens = (await login.json()) as { accessToken: string };

    const print = (line = '') => console.log(line);
    print('');
    print('Siyu is running.');
    print(`  API        ${baseUrl}        (OpenAPI: ${baseUrl}/docs, queues: ${baseUrl}/admin/queues)`);
    print(`  login      ${ownerEmail}`);
    print(`  password   ${password}`);
    print(`  logs       ${logs}/{api,worker,wecom-sim}.log`);
    print('');
    const ctx: DemoContext = {
      baseUrl,
      brandId: brand.id,
      ownerEmail,
      accessToken: tokens.accessToken,
      api: makeApi(baseUrl, () => tokens.accessToken),
      print: (line = '') => print(`  ${line}`),
    };
    for (const step of DEMO_STEPS) {
      print(`== ${step.title}`);
      try {
        await step.run(ctx);
      } catch (err) {
        // A failed step stops the API, worker and wecom-sim too, rather than leaving them running.
        console.error(`demo step failed: ${(err as Error).message}`);
        return this.stop(1);
      }
      print('');
    }
    if (!o.serve) return this.stop(0);
    print('Serving until Ctrl-C.');
    await new Promise(() => undefined);
  }

  @Option({ flags: '--no-serve', description: 'stop after the story instead of serving' })
  parseServe(): boolean {
    return false;
  }

  private start(app: string, logFile: string): void {
    const out = openSync(logFile, 'a');
    const child = spawn(process.execPath, [join(dist, 'apps', app, 'src', 'main.js')], {
      stdio: ['ignore', out, out],
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) {
        console.error(`${app} exited (${signal ?? code}); see ${logFile}`);
        this.stop(1);
      }
    });
    this.children.push(child);
  }

  private stopping = false;

  private stop(code: number): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const c of this.children) c.kill('SIGTERM');
    const deadline = setTimeout(() => process.exit(code), 10_000);
    deadline.unref();
    void Promise.all(
      this.children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    ).then(() => process.exit(code));
  }
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Siyu did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}
