/** Express, Koa and Hono apps run unchanged behind nginx, and callables are found as documented. */
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, type ServerProcess, type IniValues } from '../../support/server';
import { startNginx, type Nginx } from '../../support/nginx';
import { request } from '../../support/http';
import { tempDir } from '../../support/tmp';

async function serve(ini: IniValues): Promise<{ server: ServerProcess; nginx: Nginx }> {
  const dir = tempDir();
  const sock = path.join(dir, 'app.sock');
  const server = startServer({ dir, ini: { socket: sock, ...ini } });
  await server.ready();
  const nginx = await startNginx({ upstream: `unix:${sock}` });
  return { server, nginx };
}

const json = (v: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) });

describe('frameworks behind nginx', function () {
  this.timeout(60_000);
  let running: { server: ServerProcess; nginx: Nginx } | undefined;
  afterEach(async () => {
    await running?.nginx.stop();
    await running?.server.stop();
    running = undefined;
  });

  it('runs an Express app (routing, JSON body parser, status, req.ip, its own error handler)', async () => {
    running = await serve({ 'wsgi-file': fixtureApp('express-app.js'), threads: 2 });
    const { nginx } = running;
    expect((await request(`${nginx.url}/`)).body.toString()).to.equal('express hello');
    const r = await request(`${nginx.url}/json`, json({ a: 1 }));
    expect(r.status).to.equal(201);
    expect(JSON.parse(r.body.toString())).to.deep.equal({ got: { a: 1 }, ip: '127.0.0.1' });
    expect((await request(`${nginx.url}/boom`)).status).to.equal(500);
  });

  it('runs a Koa app instance through app.callback()', async () => {
    running = await serve({ 'wsgi-file': fixtureApp('koa-app.js') });
    const { nginx } = running;
    expect((await request(`${nginx.url}/`)).body.toString()).to.equal('koa hello');
    const r = await request(`${nginx.url}/json`, json({ k: 'v' }));
    expect(r.status).to.equal(201);
    expect(JSON.parse(r.body.toString())).to.deep.equal({ got: { k: 'v' } });
  });

  it('runs a Hono app (ESM default export with fetch), including headers and cookies', async () => {
    running = await serve({ 'wsgi-file': fixtureApp('hono-app.mjs'), threads: 2 });
    const { nginx } = running;
    expect((await request(`${nginx.url}/`)).body.toString()).to.equal('hono hello');
    const r = await request(`${nginx.url}/json`, json({ h: true }));
    expect(r.status).to.equal(201);
    expect(r.headers['x-hono']).to.equal('yes');
    expect(JSON.parse(r.body.toString())).to.deep.equal({ got: { h: true } });
    const c = await request(`${nginx.url}/cookies`);
    expect(c.headers['set-cookie']).to.deep.equal(['a=1', 'b=2']);
  });

  it('prefers the export named `application`, and honours `callable`', async () => {
    running = await serve({ 'wsgi-file': fixtureApp('named-callable.mjs') });
    expect((await request(`${running.nginx.url}/`)).body.toString()).to.equal('application export');
    await running.nginx.stop();
    await running.server.stop();
    running = await serve({ module: `${fixtureApp('named-callable.mjs')}:other` });
    expect((await request(`${running.nginx.url}/`)).body.toString()).to.equal('other export');
  });
});
