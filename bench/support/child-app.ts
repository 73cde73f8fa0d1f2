import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './ports';

/** The build output root (`dist/`): this file runs as dist/bench/support/child-app.js. */
export const DIST_ROOT = join(__dirname, '..', '..');

export interface StartOptions {
  /** Label for messages, e.g. "siyu-api". */
  name: string;
  /** Script path relative to dist/, e.g. "apps/api/src/main.js". */
  script: string;
  /** Added to the inherited environment; PORT and HOST are set by this helper. */
  env?: Record<string, string>;
  /** Polled until it answers 200. */
  healthPath?: string;
  /**
   * For a process with no HTTP server (the worker): ready once a line of its output matches, instead
   * of polling `healthPath`.
   */
  readyLine?: RegExp;
  /** For a process that prints nothing when ready (a worker at LOG_LEVEL=warn): polled until true. */
  ready?: () => Promise<boolean>;
  /** Listen on this port instead of a free one (PORT is still set to it). */
  port?: number;
  startTimeoutMs?: number;
  /** Extra node options before the script, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`. */
  nodeArgs?: string[];
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM to exit. */
  stopMs: number;
}

export interface ChildApp {
  name: string;
  pid: number;
  baseUrl: string;
  /** The last lines the child wrote (stdout and stderr), for diagnostics. */
  output(): string;
  /** SIGTERM, wait for exit; SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

const TAIL_LINES = 40;

/**
 * Starts a compiled app from dist/ as a child process on a free port and waits until it is healthy
 * (or, with `readyLine`, until it says it is ready).
 */
export async function startDistApp(o: StartOptions): Promise<ChildApp> {
  const port = o.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), join(DIST_ROOT, o.script)], {
    env: { ...process.env, ...o.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  let ready = false;
  const keep = (chunk: Buffer) => {
    const lines = chunk.toString('utf8').split('\n').filter(Boolean);
    if (o.readyLine && lines.some((l) => o.readyLine?.test(l))) ready = true;
    tail.push(...lines);
    tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exit = e));

  const app: ChildApp = {
    name: o.name,
    pid: child.pid ?? -1,
    baseUrl,
    output: () => tail.join('\n'),
    async stop(timeoutMs = 15_000) {
      const started = Date.now();
      if (exit === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      const { code, signal } = await exited;
      return { code, signal, stopMs: Date.now() - started };
    },
  };

  const url = `${baseUrl}${o.healthPath ?? '/health'}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exit !== undefined) {
      throw new Error(
        `${o.name} exited (${exit.signal ?? exit.code}) before becoming healthy:\n${app.output()}`,
      );
    }
    if (o.ready) {
      if (await o.ready().catch(() => false)) return app;
    } else if (o.readyLine) {
      if (ready) return app;
    } else {
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        if (res.status === 200) return app;
      } catch {
        // not listening yet
      }
    }
    if (Date.now() > deadline) {
      await app.stop();
      const what = o.ready ? 'become ready' : o.readyLine ? `print ${o.readyLine}` : `answer 200 on ${url}`;
      throw new Error(`${o.name} did not ${what} in time:\n${app.output()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
