/**
 * The app loader's export shapes that need waiting for: an exported promise (what a CommonJS
 * NestJS or Next.js entry exports) and a Fastify instance (ready() awaited, routing served);
 * and those that decide upgrades: an exported http.Server (its 'request' listeners serve, the
 * server itself is kept for 'upgrade' and 'connect'), a Fastify instance's server, and Bun's
 * { fetch, websocket }. The frameworks themselves run in test/e2e/frameworks/.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { loadApp } from '../../../src/app/load';
import type { LoadedApp } from '../../../src/app/types';
import type { TsuwsgiError } from '../../../src/shared/errors';
import { tempDir } from '../../support/tmp';

function appFile(source: string): string {
  const file = path.join(tempDir(), 'app.js');
  fs.writeFileSync(file, source);
  return file;
}

const load = (appFile: string) => loadApp({ appFile, appPackage: undefined, callable: undefined, baseDir: path.dirname(appFile) });

async function loadError(file: string): Promise<TsuwsgiError> {
  try {
    await load(file);
  } catch (err) {
    return err as TsuwsgiError;
  }
  throw new Error('the app loaded');
}

describe('app/load: exports that are waited for', () => {
  it('an exported promise: its value is the app, once it resolves', async () => {
    const app = await load(appFile("module.exports = new Promise((r) => setTimeout(() => r(function late(req, res) {}), 20));"));
    expect(app.kind).to.equal('node');
    expect(app.listener.name).to.equal('late');
  });

  it('an exported promise that rejects: E_APP_LOAD naming the file and the reason', async () => {
    const file = appFile("module.exports = Promise.reject(new Error('no database'));");
    const err = await loadError(file);
    expect(err.code).to.equal('E_APP_LOAD');
    expect(err.message).to.match(new RegExp(`^${file}: the app's exported promise rejected: Error: no database`));
  });

  it('a Fastify instance: ready() is awaited once, then routing is the listener', async () => {
    const app = await load(appFile(`
      const instance = { readied: 0, ready() { return new Promise((r) => setTimeout(() => { this.readied++; r(this); }, 20)); }, routing: function routing(req, res) {} };
      module.exports = instance;`));
    expect(app.kind).to.equal('fastify');
    expect(app.listener.name).to.equal('routing');
    expect((require(app.source) as { readied: number }).readied).to.equal(1);
  });

  it("a Fastify instance whose ready() fails (a plugin that cannot load): E_APP_LOAD naming it", async () => {
    const file = appFile("module.exports = { ready: () => Promise.reject(new Error('plugin timed out')), routing() {} };");
    const err = await loadError(file);
    expect(err.code).to.equal('E_APP_LOAD');
    expect(err.message).to.match(new RegExp(`^${file}: the Fastify instance's ready\\(\\) failed: Error: plugin timed out`));
  });

  it('an exported promise of a Fastify instance: both are waited for', async () => {
    const app = await load(appFile("module.exports = Promise.resolve({ ready: async () => undefined, routing: function routing() {} });"));
    expect(app.kind).to.equal('fastify');
  });
});

function loadText(file: string, text: string): Promise<LoadedApp> {
  const dir = tempDir();
  const appFile = path.join(dir, file);
  fs.writeFileSync(appFile, text);
  return loadApp({ appFile, appPackage: undefined, callable: undefined, baseDir: dir });
}

/** Calls the listener with a request it can answer; resolves with the body written. */
function call(app: LoadedApp): Promise<{ status: number; body: string }> {
  const req = new http.IncomingMessage(new PassThrough() as never);
  req.url = '/';
  req.method = 'GET';
  const res = new http.ServerResponse(req);
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    res.write = ((c: Buffer | string) => chunks.push(Buffer.from(c))) as never;
    res.end = ((c?: Buffer | string) => {
      if (c !== undefined) chunks.push(Buffer.from(c));
      resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() });
      return res;
    }) as never;
    void app.listener(req, res);
  });
}

describe('app/load: the shapes that offer upgrades', () => {
  it('an exported http.Server: its request listeners serve, and the server is kept for upgrades', async () => {
    const app = await loadText('server.js', `
      const http = require('node:http');
      const server = http.createServer((req, res) => res.end('from the server'));
      server.on('upgrade', () => {});
      module.exports = server;
    `);
    expect(app.kind).to.equal('server');
    expect(app.server).to.be.instanceOf(http.Server);
    expect(app.server!.listenerCount('upgrade')).to.equal(1);
    expect(await call(app)).to.deep.equal({ status: 200, body: 'from the server' });
  });

  it('an http.Server as an ES module default export, its listeners replaced after creation (as engine.io does)', async () => {
    const app = await loadText('server.mjs', `
      import http from 'node:http';
      const server = http.createServer();
      server.on('request', (req, res) => res.end('added later'));
      export default server;
    `);
    expect(app.kind).to.equal('server');
    expect(await call(app)).to.deep.equal({ status: 200, body: 'added later' });
  });

  it('a server with no request listener answers 404 rather than leaving the request hanging', async () => {
    const app = await loadText('bare.js', `module.exports = require('node:http').createServer();`);
    expect((await call(app)).status).to.equal(404);
  });

  it('a Fastify instance: its server is kept for upgrades (where @fastify/websocket listens), routing serves requests', async () => {
    const app = await loadText('fastify-app.js', `
      const fastify = require(${JSON.stringify(require.resolve('fastify'))})();
      fastify.get('/', async () => 'from fastify');
      fastify.server.on('upgrade', () => {});
      module.exports = fastify;
    `);
    expect(app.kind).to.equal('fastify');
    expect(app.server).to.be.instanceOf(http.Server);
    expect(app.server!.listenerCount('upgrade')).to.equal(1);
    expect(await call(app)).to.deep.include({ status: 200, body: 'from fastify' });
  });

  it("Bun's { fetch, websocket }: the fetch half is served, the websocket half named as not run", async () => {
    const app = await loadText('bun.mjs', `
      export default { fetch: () => new Response('fetched'), websocket: { message() {} } };
    `);
    expect(app.kind).to.equal('fetch');
    expect(app.server).to.equal(undefined);
    expect(app.unserved).to.match(/Bun's shape .* export an http\.Server/);
  });

  it('a plain listener offers no server', async () => {
    const app = await loadText('plain.js', `module.exports = (req, res) => res.end('x');`);
    expect(app.kind).to.equal('node');
    expect(app.server).to.equal(undefined);
    expect(app.unserved).to.equal(undefined);
  });
});
