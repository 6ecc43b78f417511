/**
 * What loadApp() makes of a module's exports: here the shapes that decide upgrades — an
 * exported http.Server (its 'request' listeners serve, the server itself is kept for
 * 'upgrade' and 'connect') and Bun's { fetch, websocket }.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadApp } from '../../../src/app/load';
import type { LoadedApp } from '../../../src/app/types';
import { tempDir } from '../../support/tmp';

function load(file: string, text: string): Promise<LoadedApp> {
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
    const app = await load('server.js', `
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
    const app = await load('server.mjs', `
      import http from 'node:http';
      const server = http.createServer();
      server.on('request', (req, res) => res.end('added later'));
      export default server;
    `);
    expect(app.kind).to.equal('server');
    expect(await call(app)).to.deep.equal({ status: 200, body: 'added later' });
  });

  it('a server with no request listener answers 404 rather than leaving the request hanging', async () => {
    const app = await load('bare.js', `module.exports = require('node:http').createServer();`);
    expect((await call(app)).status).to.equal(404);
  });

  it("Bun's { fetch, websocket }: the fetch half is served, the websocket half named as not run", async () => {
    const app = await load('bun.mjs', `
      export default { fetch: () => new Response('fetched'), websocket: { message() {} } };
    `);
    expect(app.kind).to.equal('fetch');
    expect(app.server).to.equal(undefined);
    expect(app.unserved).to.match(/Bun's shape .* export an http\.Server/);
  });

  it('a plain listener offers no server', async () => {
    const app = await load('plain.js', `module.exports = (req, res) => res.end('x');`);
    expect(app.kind).to.equal('node');
    expect(app.server).to.equal(undefined);
    expect(app.unserved).to.equal(undefined);
  });
});
