/**
 * `wsgi-file = app.ts` (.mts, .cts) runs without a build, behind a real nginx, with one app
 * thread and with two: natively where this Node strips types (22.18+; CI runs this file under
 * Node 24 too), through the tsx installed in the app's directory otherwise (and on a Node that
 * strips, when stripping is turned off), and without tsx the start stops with one line saying
 * what to install (exit 4).
 */
import path from 'node:path';
import { expect } from 'chai';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';
import { request } from '../support/http';
import { startServer } from '../support/server';
import { typeScriptAppDir } from '../support/typescript-apps';
import { waitUntil } from '../support/wait';
import { findTsx, missingLoaderMessage, nativeTypeScript } from '../../src/app/typescript';

const native = nativeTypeScript() !== false;
/** Node's own stripping turned off, so that this Node needs tsx as Node 20 does. */
const NO_STRIP = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --no-experimental-strip-types`.trim() };

interface Path {
  readonly name: string;
  readonly tsx: boolean;
  readonly env: NodeJS.ProcessEnv;
}

const loading: Path[] = [
  ...(native ? [{ name: `natively (Node ${process.version} strips types; no tsx anywhere)`, tsx: false, env: {} }] : []),
  { name: `through the app's own tsx (Node ${process.version}${native ? ', stripping turned off' : ''})`, tsx: true, env: native ? NO_STRIP : {} },
];

/** Asks until every one of `threads` app threads has answered (8 at a time; nginx spreads them). */
async function threadsAnswering(url: string, threads: number, threadOf: (body: string) => number): Promise<Set<number>> {
  const seen = new Set<number>();
  await waitUntil(`${threads} app thread(s) answering`, async () => {
    const replies = await Promise.all(Array.from({ length: 8 }, () => request(url, { method: 'POST', body: '{"n":1}', headers: { 'content-type': 'application/json' } })));
    for (const r of replies) {
      expect(r.status, r.body.toString()).to.equal(201);
      seen.add(threadOf(r.body.toString()));
    }
    return seen.size >= threads;
  }, 15_000);
  return seen;
}

describe('TypeScript apps without a build step', function () {
  this.timeout(60_000);
  let running: BehindNginx | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  for (const how of loading) {
    describe(how.name, () => {
      for (const threads of [1, 2]) {
        it(`an Express app in app.ts (interface, typed handlers, a .ts import), threads = ${threads}`, async () => {
          const dir = typeScriptAppDir({ tsx: how.tsx });
          expect(findTsx([dir]) !== undefined).to.equal(how.tsx);
          running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'express-app.ts'), threads, 'threads-min': threads, env: envLines(how.env) }, dir);
          const { nginx, server } = running;
          expect((await request(`${nginx.url}/?name=nginx`)).body.toString()).to.equal('hello nginx from TypeScript');
          const seen = await threadsAnswering(`${nginx.url}/json`, threads, (b) => (JSON.parse(b) as { thread: number }).thread);
          expect(seen.size).to.equal(threads);
          expect(server.events('app-loaded')[0]).to.include({ kind: 'node', app: path.join(dir, 'express-app.ts') });
          expect(server.stderr.filter(Boolean), 'nothing on stderr (no warning)').to.deep.equal([]);
        });

        it(`a fetch-style app in app.mts, threads = ${threads}`, async () => {
          const dir = typeScriptAppDir({ tsx: how.tsx });
          running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'fetch-app.mts'), threads, 'threads-min': threads, env: envLines(how.env) }, dir);
          const { nginx, server } = running;
          expect((await request(`${nginx.url}/?name=Request`)).body.toString()).to.equal('hello Request from TypeScript');
          expect((await request(`${nginx.url}/nope`)).status).to.equal(404);
          const seen = await threadsAnswering(`${nginx.url}/echo`, threads, (b) => {
            const got = JSON.parse(b) as { method: string; body: string; thread: number };
            expect(got).to.include({ method: 'POST', body: '{"n":1}' });
            return got.thread;
          });
          expect(seen.size).to.equal(threads);
          expect(server.events('app-loaded')[0]).to.include({ kind: 'fetch' });
          expect(server.stderr.filter(Boolean)).to.deep.equal([]);
        });
      }

      it('a CommonJS app in app.cts (require, module.exports)', async () => {
        const dir = typeScriptAppDir({ tsx: how.tsx });
        running = await serveBehindNginx({ 'wsgi-file': path.join(dir, 'plain-app.cts'), env: envLines(how.env) }, dir);
        expect((await request(`${running.nginx.url}/x?y=1`)).body.toString()).to.equal('cts GET /x?y=1 thread 0');
      });
    });
  }

  if (native) {
    describe(`what Node ${process.version} only strips`, () => {
      it('an enum stops the start with the flag that allows it; with that flag the app serves', async () => {
        const dir = typeScriptAppDir({ tsx: false });
        const file = path.join(dir, 'enum-app.ts');
        const refused = startServer({ dir, ini: { 'http-socket': '127.0.0.1:0', 'wsgi-file': file } });
        expect(await refused.exited).to.deep.equal({ code: 4, signal: null });
        const failed = refused.events('app-load-failed')[0];
        expect(failed).to.include({ code: 'E_APP_LOAD' });
        expect(failed.msg).to.include('enum').and.include('NODE_OPTIONS=--experimental-transform-types');
        running = await serveBehindNginx({ 'wsgi-file': file, threads: 2, env: 'NODE_OPTIONS=--experimental-transform-types --disable-warning=ExperimentalWarning' }, dir);
        expect((await request(`${running.nginx.url}/`)).body.toString()).to.equal('green');
      });
    });
  }

  describe(`without tsx (Node ${process.version}${native ? ', stripping turned off' : ''})`, () => {
    for (const threads of [1, 2]) {
      it(`stops at start with one line saying what to install, exit 4 (threads = ${threads})`, async () => {
        const dir = typeScriptAppDir({ tsx: false });
        const file = path.join(dir, 'express-app.ts');
        const server = startServer({ dir, ini: { 'http-socket': '127.0.0.1:0', 'wsgi-file': file, processes: 2, threads }, env: native ? NO_STRIP : {} });
        expect(await server.exited).to.deep.equal({ code: 4, signal: null });
        expect(server.stderr.filter(Boolean)).to.deep.equal([`tsuwsgi: ${missingLoaderMessage(file)}`]);
        expect(server.stderr[0]).to.include(`cd ${dir} && npm install tsx`);
        const failed = server.events('app-load-failed');
        expect(failed.length).to.be.greaterThan(0);
        expect(failed[0]).to.include({ code: 'E_APP_TS_LOADER', msg: missingLoaderMessage(file) });
        expect(server.events('ready')).to.deep.equal([]);
      });
    }
  });
});

/** The ini's `env =` lines for the workers (the master runs without them). */
function envLines(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v ?? ''}`);
}
