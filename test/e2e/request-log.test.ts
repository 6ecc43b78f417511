/** log-format (uWSGI variables and uWSGI's own line) and log-4xx / log-5xx / log-slow, through nginx. */
import { expect } from 'chai';
import { fixtureApp } from '../support/server';
import { request } from '../support/http';
import { waitUntil } from '../support/wait';
import { serveBehindNginx, type BehindNginx } from '../support/behind-nginx';

/** The plain-text request lines the server wrote: everything on stdout that is not JSON. */
const textLines = (b: BehindNginx): string[] => b.server.lines.filter((l) => l !== '' && !l.startsWith('{'));

describe('request log formats, through nginx', function () {
  this.timeout(30_000);
  let s: BehindNginx | undefined;

  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  it('log-format with uWSGI variables writes one plain line per request', async () => {
    s = await serveBehindNginx({
      'wsgi-file': fixtureApp('echo.js'),
      'log-format': '%(addr) %(method) %(uri) %(proto) %(status) %(size) %(wid) %(core) "%(uagent)" %(msecs)ms',
    });
    await request(`${s.nginx.url}/pid?x=1`, { headers: { 'user-agent': 'test-agent/1' } });
    await request(`${s.nginx.url}/missing`);
    const lines = await waitUntil('two request lines', () => {
      const l = textLines(s!);
      return l.length === 2 ? l : undefined;
    });
    expect(lines[0]).to.match(/^127\.0\.0\.1 GET \/pid\?x=1 HTTP\/1\.[01] 200 \d+ 1 0 "test-agent\/1" \d+ms$/);
    expect(lines[1]).to.match(/^127\.0\.0\.1 GET \/missing HTTP\/1\.[01] 404 \d+ 1 0 "" \d+ms$/);
  });

  it('log-format = uwsgi writes uWSGI\'s default line', async () => {
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), 'log-format': 'uwsgi' });
    await request(`${s.nginx.url}/`);
    const [line] = await waitUntil('a request line', () => {
      const l = textLines(s!);
      return l.length === 1 ? l : undefined;
    });
    expect(line).to.match(
      /^\[pid: \d+\|app: 0\|req: 1\/1\] 127\.0\.0\.1 \(\) \{\d+ vars in \d+ bytes\} \[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] GET \/ => generated \d+ bytes in \d+ msecs \(HTTP\/1\.[01] 200\) \d+ headers in \d+ bytes \(1 switches on core 0\)$/,
    );
  });

  it('with disable-logging, log-4xx, log-5xx and log-slow log only those requests', async () => {
    s = await serveBehindNginx({ 'wsgi-file': fixtureApp('echo.js'), 'disable-logging': true, 'log-4xx': true, 'log-5xx': true, 'log-slow': 300 });
    for (const p of ['/', '/missing', '/throw', '/slow?ms=400', '/slow?ms=10']) await request(`${s.nginx.url}${p}`);
    const reqs = await waitUntil('three request lines', () => {
      const l = s!.server.events('request');
      return l.length >= 3 ? l : undefined;
    });
    await new Promise((r) => setTimeout(r, 100)); // nothing more arrives
    expect(reqs.map((r) => `${r.status} ${r.uri}`)).to.deep.equal(['404 /missing', '500 /throw', '200 /slow?ms=400']);
    expect(s.server.events('request')).to.have.length(3);
  });
});
