/**
 * TypeScript apps as a user keeps them: .ts sources in a directory of their own, no build, no
 * tsconfig, with express (and, when asked, tsx) in the directory's node_modules. Written into a
 * temp dir, away from the repo's node_modules, so that only what is linked here is reachable.
 * The sources are kept here, not as fixture files, so that the repo's own type check does not
 * read them (they import './greeting.ts' with its extension, as Node's type stripping wants).
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './server';
import { tempDir } from './tmp';

const SOURCES: Record<string, string> = {
  'greeting.ts': `
export interface Greeting {
  readonly text: string;
  readonly length: number;
}

export function greet(name: string): Greeting {
  const text = \`hello \${name} from TypeScript\`;
  return { text, length: text.length };
}
`,
  // Express, typed: an interface for the JSON it answers, typed handlers, a type-only import.
  'express-app.ts': `
import express, { type Request, type Response } from 'express';
import { threadId } from 'node:worker_threads';
import { greet, type Greeting } from './greeting.ts';

interface Echo {
  got: unknown;
  thread: number;
  typed: true;
}

const app = express();
app.use(express.json());
app.get('/', (req: Request, res: Response): void => {
  const g: Greeting = greet(String(req.query.name ?? 'world'));
  res.type('text/plain').send(g.text);
});
app.post('/json', (req: Request, res: Response<Echo>): void => {
  res.status(201).json({ got: req.body as unknown, thread: threadId, typed: true });
});
export default app;
`,
  // A fetch-style app in an ES module file (.mts): Request in, Response out.
  'fetch-app.mts': `
import { threadId } from 'node:worker_threads';
import { greet } from './greeting.ts';

type Route = (req: Request, url: URL) => Response | Promise<Response>;

const routes: Record<string, Route> = {
  '/': (_req, url) => new Response(greet(url.searchParams.get('name') ?? 'fetch').text),
  '/echo': async (req) => Response.json({ method: req.method, body: await req.text(), thread: threadId }, { status: 201 }),
};

export default {
  fetch(req: Request): Response | Promise<Response> {
    const url = new URL(req.url);
    const route: Route | undefined = routes[url.pathname];
    return route === undefined ? new Response('no such route', { status: 404 }) : route(req, url);
  },
} satisfies { fetch(req: Request): Response | Promise<Response> };
`,
  // CommonJS TypeScript (.cts): require and module.exports, types on the handler.
  'plain-app.cts': `
import type { IncomingMessage, ServerResponse } from 'node:http';
const { threadId } = require('node:worker_threads') as typeof import('node:worker_threads');

function app(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'text/plain');
  res.end(\`cts \${req.method} \${req.url} thread \${threadId}\`);
}
module.exports = app;
`,
  // An enum: code to generate, which type stripping alone refuses.
  'enum-app.ts': `
import type { IncomingMessage, ServerResponse } from 'node:http';
enum Colour { Red = 'red', Green = 'green' }
export default (_req: IncomingMessage, res: ServerResponse): void => {
  res.end(Colour.Green);
};
`,
};

/** A fresh app directory with every source above, express linked in, and tsx if `tsx`. */
export function typeScriptAppDir(opts: { tsx: boolean }): string {
  const dir = tempDir('tsuwsgi-ts-app-');
  for (const [name, text] of Object.entries(SOURCES)) fs.writeFileSync(path.join(dir, name), text.trimStart());
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  // Links, as npm's install-links or a workspace has them: each package resolves its own
  // dependencies from where it really is (the repo's node_modules).
  const linked = opts.tsx ? ['express', 'tsx'] : ['express'];
  for (const name of linked) fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name));
  return dir;
}
