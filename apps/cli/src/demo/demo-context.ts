/** What a demo step gets: an authenticated HTTP client for the running API, and a printer. */
export interface DemoContext {
  baseUrl: string;
  brandId: string;
  ownerEmail: string;
  accessToken: string;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  print(line?: string): void;
}

export type DemoStep = { title: string; run(ctx: DemoContext): Promise<void> };

export function makeApi(baseUrl: string, token: () => string): DemoContext['api'] {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token()}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}
