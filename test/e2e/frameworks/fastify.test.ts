/**
 * Fastify (version in package-lock.json; the test prints it) with its plugins (@fastify/cookie,
 * formbody, cors), hooks, an encapsulated plugin with a prefix, JSON schema validation, a stream
 * reply, its error and not-found handlers, behind a real nginx (uwsgi_pass), two app threads.
 * Exported the two ways an app hands Fastify over: the instance (tsuwsgi awaits ready() and
 * serves fastify.routing) and, from an ES module that readied it itself, fastify.routing.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { fixtureApp } from '../../support/server';
import { serveBehindNginx, type BehindNginx } from '../../support/behind-nginx';
import { request } from '../../support/http';

const version = (JSON.parse(fs.readFileSync(require.resolve('fastify/package.json'), 'utf8')) as { version: string }).version;
const json = (v: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) });

for (const [exported, file] of [['the instance', 'fastify-app.js'], ['fastify.routing, from an ES module after await ready()', 'fastify-routing.mjs']] as const) {
  describe(`Fastify ${version} behind nginx, exported as ${exported}`, function () {
    this.timeout(60_000);
    let running: BehindNginx;
    let url: string;
    before(async () => {
      running = await serveBehindNginx({ 'wsgi-file': fixtureApp(file), threads: 2 });
      url = running.nginx.url;
    });
    after(() => running?.stop());

    it('routes, with its onRequest and onSend hooks, in an encapsulated plugin with its own decorator', async () => {
      expect((await request(`${url}/`)).body.toString()).to.equal('fastify hello');
      const r = await request(`${url}/api/hello/ada`);
      expect(r.status).to.equal(200);
      expect(r.headers['x-fastify-hook']).to.equal('onSend');
      expect(JSON.parse(r.body.toString())).to.deep.include({ greeting: 'hello ada' }).and.have.property('by').that.matches(/^thread \d+$/);
    });

    it('validates a JSON body against its schema: 201 with the body, 400 with Fastify\'s message', async () => {
      const ok = await request(`${url}/api/items`, json({ name: 'pen', qty: 2 }));
      expect(ok.status).to.equal(201);
      expect(JSON.parse(ok.body.toString())).to.deep.equal({ created: { name: 'pen', qty: 2 } });
      const bad = await request(`${url}/api/items`, json({ qty: 'many' }));
      expect(bad.status).to.equal(400);
      expect(JSON.parse(bad.body.toString())).to.include({ statusCode: 400, code: 'FST_ERR_VALIDATION' });
    });

    it('parses forms (@fastify/formbody) and cookies (@fastify/cookie), answers CORS preflights (@fastify/cors)', async () => {
      const form = await request(`${url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1&b=two+words' });
      expect(JSON.parse(form.body.toString())).to.deep.equal({ form: { a: '1', b: 'two words' } });
      const first = await request(`${url}/cookie`);
      expect(first.headers['set-cookie']).to.deep.equal(['seen=1; Path=/; HttpOnly; SameSite=Lax']);
      const second = await request(`${url}/cookie`, { headers: { cookie: 'seen=1' } });
      expect(JSON.parse(second.body.toString())).to.deep.equal({ had: '1' });
      const preflight = await request(`${url}/api/items`, { method: 'OPTIONS', headers: { origin: 'https://front.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers['access-control-allow-origin']).to.equal('https://front.example');
    });

    it('sees the client as nginx passes it (request.ip, hostname, url with its query)', async () => {
      const r = await request(`${url}/whoami?x=1`, { headers: { host: 'shop.example' } });
      expect(JSON.parse(r.body.toString())).to.deep.equal({ ip: '127.0.0.1', hostname: 'shop.example', protocol: 'http', url: '/whoami?x=1' });
    });

    it('streams a file reply, and answers errors and unknown routes through its own handlers', async () => {
      const s = await request(`${url}/stream`);
      expect(s.status).to.equal(200);
      expect(s.body.toString()).to.equal(fs.readFileSync(fixtureApp('fastify-app.js'), 'utf8'));
      const boom = await request(`${url}/boom`);
      expect(boom.status).to.equal(418);
      expect(JSON.parse(boom.body.toString())).to.include({ message: 'it broke' });
      const missing = await request(`${url}/nope`);
      expect(missing.status).to.equal(404);
      expect(JSON.parse(missing.body.toString())).to.deep.equal({ missing: '/nope' });
    });

    it('logged no error, and no worker died', () => {
      expect(running.server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
      expect(running.server.events('worker-exited')).to.deep.equal([]);
    });
  });
}
