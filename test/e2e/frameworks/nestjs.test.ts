/**
 * NestJS (version in package-lock.json; the test prints it) on both of its HTTP adapters, Express
 * and Fastify, deployed as Nest users deploy: the TypeScript compiled by tsc with decorators and
 * their metadata (what `nest build` does; test/fixtures/nest-app), the entry module exporting the
 * framework instance Nest built instead of calling listen(), behind a real nginx, two threads.
 * Dependency injection by type, pipes, exceptions as Nest's JSON errors, @Ip and @Headers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { REPO } from '../../support/server';
import { serveBehindNginx, type BehindNginx } from '../../support/behind-nginx';
import { request } from '../../support/http';

const APP = path.join(REPO, 'test', 'fixtures', 'nest-app');
const version = (JSON.parse(fs.readFileSync(require.resolve('@nestjs/core/package.json'), 'utf8')) as { version: string }).version;
const json = (v: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(v) });

describe(`NestJS ${version} behind nginx`, function () {
  this.timeout(120_000);
  before(() => {
    // nest build: tsc with the app's own tsconfig, into its dist/ (git-ignored).
    fs.rmSync(path.join(APP, 'dist'), { recursive: true, force: true });
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(APP, 'tsconfig.json')], { stdio: 'inherit', timeout: 100_000 });
  });

  for (const adapter of ['express', 'fastify'] as const) {
    describe(`on its ${adapter} adapter`, () => {
      let running: BehindNginx;
      let url: string;
      before(async () => {
        running = await serveBehindNginx({ 'wsgi-file': path.join(APP, 'dist', `main-${adapter}.js`), threads: 2 });
        url = running.nginx.url;
      });
      after(() => running?.stop());

      it('routes to a controller whose service is injected by type; a pipe parses the parameter', async () => {
        const r = await request(`${url}/cats/1`);
        expect(r.status).to.equal(200);
        expect(r.headers['x-nest']).to.equal('cats');
        expect(JSON.parse(r.body.toString())).to.deep.equal({ id: 1, name: 'Tom' });
        const bad = await request(`${url}/cats/one`);
        expect(bad.status).to.equal(400);
        expect(JSON.parse(bad.body.toString())).to.include({ statusCode: 400, message: 'Validation failed (numeric string is expected)' });
      });

      it('reads a JSON body (201), and answers its exceptions as Nest\'s JSON errors (400, 404)', async () => {
        const created = await request(`${url}/cats`, json({ name: 'Felix' }));
        expect(created.status).to.equal(201);
        expect(JSON.parse(created.body.toString())).to.have.property('name', 'Felix');
        const bad = await request(`${url}/cats`, json({ name: 7 }));
        expect(bad.status).to.equal(400);
        expect(JSON.parse(bad.body.toString())).to.include({ statusCode: 400, message: 'name must be a string' });
        const missing = await request(`${url}/cats/99`);
        expect(missing.status).to.equal(404);
        expect(JSON.parse(missing.body.toString())).to.include({ statusCode: 404, message: 'no cat 99' });
        const noRoute = await request(`${url}/dogs`);
        expect(noRoute.status).to.equal(404);
      });

      it('sees the client as nginx passes it (@Ip, @Headers, @Query)', async () => {
        const r = await request(`${url}/cats?q=tabby`, { headers: { host: 'cats.example' } });
        expect(JSON.parse(r.body.toString())).to.deep.equal({ ip: '127.0.0.1', host: 'cats.example', q: 'tabby' });
      });

      it('logged no error, and no worker died', () => {
        expect(running.server.logs().filter((l) => (l.level as number) >= 50)).to.deep.equal([]);
        expect(running.server.events('worker-exited')).to.deep.equal([]);
        expect(running.server.stderr.filter(Boolean)).to.deep.equal([]);
      });
    });
  }
});
