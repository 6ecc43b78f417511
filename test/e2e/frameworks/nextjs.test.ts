/**
 * A Next.js production server under tsuwsgi: `next build` once (next-app.ts), then Next's own
 * request handler (its custom server, test/fixtures/next-app/server.js, which exports the
 * handler once app.prepare() has resolved) behind a real nginx, two app threads. Pages (static
 * and rendered per request, App Router), a client component's static chunk, a public file, a
 * route handler (GET and a JSON POST), the 404 page, and conditional GETs.
 */
import path from 'node:path';
import { expect } from 'chai';
import { serveBehindNginx, type BehindNginx } from '../../support/behind-nginx';
import { request } from '../../support/http';
import { ensureNextApp, NEXT_APP } from './next-app';

describe('Next.js behind nginx (its production build, through its custom-server request handler)', function () {
  this.timeout(600_000);
  let running: BehindNginx;
  let url: string;
  before(async function () {
    const version = ensureNextApp();
    this.test!.parent!.title += ` — Next.js ${version}`;
    running = await serveBehindNginx({ 'wsgi-file': path.join(NEXT_APP, 'server.js'), threads: 2, chdir: NEXT_APP });
    url = running.nginx.url;
  });
  after(() => running?.stop());

  it('serves the static home page, and the client component\'s JavaScript chunk it links', async () => {
    const home = await request(`${url}/`);
    expect(home.status).to.equal(200);
    expect(home.headers['content-type']).to.match(/^text\/html/);
    const html = home.body.toString();
    expect(html).to.include('Hello from Next.js under tsuwsgi');
    const chunks = [...html.matchAll(/\/_next\/static\/[^"']+\.js/g)].map((m) => m[0]);
    expect(chunks).to.not.be.empty;
    const chunk = await request(`${url}${chunks[0]}`);
    expect(chunk.status).to.equal(200);
    expect(chunk.headers['content-type']).to.match(/javascript/);
    expect(chunk.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
    expect(chunk.body.length).to.be.greaterThan(0);
  });

  it('renders a dynamic page per request, with the Host nginx passed', async () => {
    const r = await request(`${url}/about`, { headers: { host: 'next.example' } });
    expect(r.status).to.equal(200);
    expect(r.body.toString()).to.match(/rendered for (<!-- -->)?next\.example/);
  });

  it('serves public/ files, route handlers (GET, JSON POST) and its 404 page', async () => {
    const robots = await request(`${url}/robots.txt`);
    expect(robots.status).to.equal(200);
    expect(robots.body.toString()).to.equal('User-agent: *\n');
    expect(JSON.parse((await request(`${url}/api/hello?name=ada`)).body.toString())).to.deep.equal({ hello: 'ada' });
    const posted = await request(`${url}/api/hello`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ n: 1 }) });
    expect(posted.status).to.equal(201);
    expect(posted.headers['x-route']).to.equal('handler');
    expect(JSON.parse(posted.body.toString())).to.deep.equal({ got: { n: 1 } });
    const missing = await request(`${url}/no-such-page`);
    expect(missing.status).to.equal(404);
    expect(missing.body.toString()).to.include('This page could not be found');
  });

  it('answers a conditional GET of the static page with 304', async () => {
    const first = await request(`${url}/`);
    const etag = first.headers.etag;
    expect(etag).to.be.a('string');
    const again = await request(`${url}/`, { headers: { 'if-none-match': etag! } });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);
  });

  it('logged no error, and no worker died', () => {
    expect(running.server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
    expect(running.server.events('worker-exited')).to.deep.equal([]);
  });
});
