/** http-socket serves the same app over plain HTTP/1.1 with keep-alive; the shipped example works. */
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { startServer, fixtureApp, pickPort, REPO, type ServerProcess } from '../support/server';
import { startNginx } from '../support/nginx';
import { request } from '../support/http';
import { tempDir } from '../support/tmp';

describe('http-socket', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let url: string;

  before(async () => {
    const port = await pickPort();
    url = `http://127.0.0.1:${port}`;
    server = startServer({ ini: { 'http-socket': `127.0.0.1:${port}`, 'wsgi-file': fixtureApp('echo.js'), threads: 2 } });
    await server.ready();
  });
  after(() => server?.stop());

  it('answers plain HTTP', async () => {
    const r = await request(`${url}/`);
    expect(r.status).to.equal(200);
    expect(r.body.toString()).to.equal('hello');
  });

  it('keeps the connection alive across requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        http.get(`${url}/pid`, { agent }, (res) => {
          ports.add(res.socket.localPort as number);
          res.resume();
          res.on('end', resolve);
        }).on('error', reject);
      });
    }
    agent.destroy();
    expect(ports.size, 'one TCP connection served all three').to.equal(1);
  });

  it('round-trips a body and turns an app error into 500', async () => {
    const r = await request(`${url}/echo`, { method: 'POST', body: 'over http' });
    expect(r.body.toString()).to.equal('over http');
    expect((await request(`${url}/throw`)).status).to.equal(500);
  });
});

describe('the shipped example (uwsgi.ini + examples/app.js)', function () {
  this.timeout(60_000);

  it('serves the blog app through nginx with the shipped ini, flags overriding its sockets', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'example.sock');
    const httpPort = await pickPort();
    const server = startServer({
      args: [path.join(REPO, 'uwsgi.ini'), '--socket', sock, '--http-socket', `127.0.0.1:${httpPort}`, '--processes', '2'],
      env: { APP_NAME: '' },
    });
    try {
      await server.ready();
      const nginx = await startNginx({ upstream: `unix:${sock}` });
      try {
        expect((await request(`${nginx.url}/`)).body.toString()).to.equal('Hello from tsuwsgi');
        const ok = await request(`${nginx.url}/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a b c', numbers: [1, 2, 3] }) });
        expect(ok.status).to.equal(200);
        expect(JSON.parse(ok.body.toString()).result).to.deep.equal({ words: 3, upper: 'A B C', count: 3, sum: 6, mean: 2 });
        const bad = await request(`${nginx.url}/process`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
        expect(bad.status).to.equal(400);
        const msg = JSON.parse(bad.body.toString());
        expect(msg).to.have.property('msg').that.contains('invalid JSON');
        expect(bad.body.toString()).not.to.contain('    at ');
      } finally {
        await nginx.stop();
      }
      expect((await request(`http://127.0.0.1:${httpPort}/`)).status).to.equal(200);
    } finally {
      await server.stop();
    }
  });

  it('names APP_NAME when the ini sets it with env =', async () => {
    const dir = tempDir();
    const port = await pickPort();
    const server = startServer({
      dir,
      iniText: `[uwsgi]\nwsgi-file = ${path.join(REPO, 'examples', 'app.js')}   # the app\ncallable = app\nhttp-socket = 127.0.0.1:${port}\nenv = APP_NAME=flask-port\n`,
    });
    try {
      await server.ready();
      expect((await request(`http://127.0.0.1:${port}/`)).body.toString()).to.equal('Hello from flask-port running in a Docker container behind Nginx!');
    } finally {
      await server.stop();
    }
  });
});
