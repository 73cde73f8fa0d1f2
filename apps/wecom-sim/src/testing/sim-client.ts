import type { SimStats } from '../admin/sim-admin.service';
import type { SimConfig } from '../config/sim-config';
import type { FaultRuleDto } from '../faults/fault-rule.dto';
import type { RecipientView } from '../stats/message-log.service';

export interface SimResponse<T> {
  status: number;
  body: T;
}

export type CgiReply = { errcode: number; errmsg: string } & Record<string, unknown>;

/** A small HTTP client for the simulator, for tests and benches (global fetch, no mocks). */
export class SimClient {
  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<SimResponse<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async get<T = unknown>(path: string): Promise<T> {
    return this.ok<T>(await this.request<T>('GET', path));
  }

  async post<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.ok<T>(await this.request<T>('POST', path, body));
  }

  /** POST /cgi-bin/{api}?access_token=…; the reply is HTTP 200 whatever the errcode. */
  async cgi<T extends CgiReply = CgiReply>(api: string, token: string, body: unknown): Promise<T> {
    return this.post<T>(`/cgi-bin/${api}?access_token=${encodeURIComponent(token)}`, body);
  }

  async wecomToken(corpid = 'ww-sim-corp', corpsecret = 'sim-secret'): Promise<string> {
    const q = new URLSearchParams({ corpid, corpsecret });
    return this.token(await this.get<CgiReply>(`/cgi-bin/gettoken?${q}`));
  }

  async oaToken(appid = 'wx-sim-app', secret = 'sim-secret'): Promise<string> {
    const q = new URLSearchParams({ grant_type: 'client_credential', appid, secret });
    return this.token(await this.get<CgiReply>(`/cgi-bin/token?${q}`));
  }

  reset(keepConfig = false): Promise<unknown> {
    return this.post('/_sim/reset', { keepConfig });
  }

  config(patch: Partial<SimConfig>): Promise<SimConfig> {
    return this.post<SimConfig>('/_sim/config', patch);
  }

  faults(rules: FaultRuleDto[], seed?: number): Promise<{ ids: number[] }> {
    return this.post('/_sim/faults', { seed, rules });
  }

  clearFaults(): Promise<unknown> {
    return this.ok(this.request('DELETE', '/_sim/faults'));
  }

  stats(): Promise<SimStats> {
    return this.get<SimStats>('/_sim/stats');
  }

  messages(recipient: string): Promise<RecipientView> {
    return this.get<RecipientView>(`/_sim/messages?recipient=${encodeURIComponent(recipient)}`);
  }

  advanceClock(advanceMs: number): Promise<unknown> {
    return this.post('/_sim/clock', { advanceMs });
  }

  private token(reply: CgiReply): string {
    if (reply.errcode !== 0) throw new Error(`token request failed: ${reply.errcode} ${reply.errmsg}`);
    return reply.access_token as string;
  }

  private async ok<T>(res: SimResponse<T> | Promise<SimResponse<T>>): Promise<T> {
    const { status, body } = await res;
    if (status < 200 || status >= 300)
      throw new Error(`sim answered HTTP ${status}: ${JSON.stringify(body)}`);
    return body;
  }
}
