/** A small HTTP client: no keep-alive unless asked, raw headers kept (several Set-Cookie). */
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  agent?: http.Agent | false;
  timeoutMs?: number;
  /** Connect to this unix socket instead of the URL's host and port (the URL still gives path and Host). */
  socketPath?: string;
}

export function request(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[] | number> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request(url, { method: opts.method ?? 'GET', headers, agent: opts.agent ?? false, ...(opts.socketPath === undefined ? {} : { socketPath: opts.socketPath }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function text(url: string, opts: RequestOptions = {}): Promise<string> {
  return (await request(url, opts)).body.toString();
}
