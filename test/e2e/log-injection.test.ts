/**
 * Request text cannot forge log lines or reach a terminal raw: control characters, quotes and
 * backslashes in the URI and the User-Agent are escaped in log-format lines (nginx's
 * escape=default), JSON lines stay valid JSON that parses back to the original, and
 * `tsuwsgi top` shows the escaped form. Raw uwsgi packets carry what nginx would refuse.
 *
 * What no HTTP request may carry (CR, LF, ESC and the other C0 controls, DEL) is refused with a
 * 400 before the app runs (protocol/request-head.ts), as Node's parser refuses it on http-socket;
 * what does pass (C1 controls such as the CSI 0x9B, quotes, backslashes) and what the front end
 * itself puts in CGI vars (REMOTE_ADDR) is escaped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { encodePacket } from '../../src/protocol';
import { BIN, fixtureApp, startServer, type ServerProcess } from '../support/server';
import { startNginx, type Nginx } from '../support/nginx';
import { exchange } from '../support/uwsgi-client';
import { rawHttp } from '../support/raw-http';
import { tempDir } from '../support/tmp';
import { waitUntil } from '../support/wait';

// Terminal control that passes the checks (a C1 CSI, a C1 NEL), quote and backslash.
const URI = '/missing?a=1\x85FORGED[pid:1]GET/admin\x9b[31m\x9b2J"q"\\z';
const AGENT = 'agent\x85\x9b]0;owned\x9c\x9b"\\';
const FORMAT = '%(method) %(uri) "%(uagent)" "%(referer)" %(host) %(addr)';
// As nginx writes them: \xHH, upper case.
const URI_ESCAPED = '/missing?a=1\\x85FORGED[pid:1]GET/admin\\x9B[31m\\x9B2J\\x22q\\x22\\x5Cz';
const AGENT_ESCAPED = 'agent\\x85\\x9B]0;owned\\x9C\\x9B\\x22\\x5C';

/** Any C0 control but the line ends, DEL, or a C1 control (as a latin1 byte or as UTF-8 U+0080-U+009F). */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const packet = (vars: Record<string, string>): Buffer =>
  encodePacket({ REQUEST_METHOD: 'GET', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '10.0.0.9', ...vars });

describe('log and terminal injection', function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let nginx: Nginx | undefined;

  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
    await server?.stop();
    server = undefined;
  });

  const serve = async (ini: Record<string, string | number | boolean>): Promise<{ sock: string; logto: string }> => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const logto = path.join(dir, 'app.log');
    server = startServer({ dir, ini: { socket: sock, 'chmod-socket': 666, 'wsgi-file': fixtureApp('echo.js'), logto, ...ini } });
    await waitUntil('the server ready in its log', () => fs.existsSync(logto) && fs.readFileSync(logto, 'utf8').includes('"event":"ready"'), 15_000);
    return { sock, logto };
  };

  it('log-format: one line per request, URI, user agent, referer, host and address escaped as nginx does', async () => {
    const { sock, logto } = await serve({ 'log-format': FORMAT });
    const reply = await exchange({ path: sock }, [
      packet({ REQUEST_URI: URI, HTTP_USER_AGENT: AGENT, HTTP_REFERER: 'r\x9be', HTTP_HOST: 'h\x9bx', REMOTE_ADDR: '10.0.0.9\nX' }),
    ]);
    expect(reply.toString('latin1')).to.match(/^HTTP\/1\.1 404 /);
    const text = await waitUntil('the request line', () => {
      const lines = fs.readFileSync(logto, 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith('{'));
      return lines.length > 0 ? lines : undefined;
    });
    await new Promise((r) => setTimeout(r, 100)); // a forged second line would be written with it
    const lines = fs.readFileSync(logto, 'latin1').split('\n').filter((l) => l !== '' && !l.startsWith('{'));
    expect(lines, 'exactly one plain line').to.deep.equal(text);
    expect(lines).to.deep.equal([`GET ${URI_ESCAPED} "${AGENT_ESCAPED}" "r\\x9Be" h\\x9Bx 10.0.0.9\\x0AX`]);
    expect(fs.readFileSync(logto, 'latin1').split('\n').filter((l) => RAW_CONTROL.test(l))).to.deep.equal([]);
  });

  it('JSON lines: the request line parses back to the very URI, with no raw control character in the file', async () => {
    const { sock, logto } = await serve({});
    await exchange({ path: sock }, [packet({ REQUEST_URI: URI, HTTP_USER_AGENT: AGENT })]);
    const line = await waitUntil('the request line', () =>
      fs.readFileSync(logto, 'utf8').split('\n').find((l) => l.includes('"event":"request"')),
    );
    const parsed = JSON.parse(line) as { uri: string; method: string };
    expect(parsed.uri).to.equal(URI);
    expect(line).to.not.match(RAW_CONTROL);
    expect(line).to.include('\\u009b').and.include('\\u0085');
    const raw = fs.readFileSync(logto, 'utf8');
    expect(raw.split('\n').filter((l) => RAW_CONTROL.test(l))).to.deep.equal([]);
  });

  it('through nginx: what nginx passes in the URI and the user agent is escaped too', async () => {
    const { sock, logto } = await serve({ 'log-format': FORMAT });
    nginx = await startNginx({ upstream: `unix:${sock}` });
    // nginx refuses controls in the request line, not quotes and backslashes; in header values it
    // passes ESC, DEL and bytes above 0x7F.
    // ESC and DEL in a header get our 400 (no HTTP request may carry them); C1 and the rest pass.
    const refused = await rawHttp(nginx.port, ['GET /missing HTTP/1.1', 'Host: example.org', `User-Agent: ua\x1b[2J\x7f`, 'Connection: close']);
    expect(refused.status).to.equal(400);
    const r = await rawHttp(nginx.port, ['GET /missing?q="x"\\y HTTP/1.1', 'Host: example.org', `User-Agent: ua\x9b2J\x9b"\\`, 'Connection: close']);
    expect(r.status).to.equal(404);
    const lines = await waitUntil('the request line', () => {
      const l = fs.readFileSync(logto, 'latin1').split('\n').filter((x) => x !== '' && !x.startsWith('{'));
      return l.length > 0 ? l : undefined;
    });
    expect(lines).to.deep.equal(['GET /missing?q=\\x22x\\x22\\x5Cy "ua\\x9B2J\\x9B\\x22\\x5C" "" example.org 127.0.0.1']);
    expect(fs.readFileSync(logto, 'latin1').split('\n').filter((l) => RAW_CONTROL.test(l))).to.deep.equal([]);
  });

  it('tsuwsgi top shows the escaped URI, with no raw control character', async () => {
    const dir = tempDir();
    const sock = path.join(dir, 'app.sock');
    const stats = path.join(dir, 'stats.sock');
    server = startServer({ dir, ini: { socket: sock, 'wsgi-file': fixtureApp('echo.js'), stats, 'stats-vars': true, 'disable-logging': true } });
    await server.ready();
    const held = exchange({ path: sock }, [packet({ REQUEST_URI: '/slow?ms=4000&x=\x9b[31m\x9b2J"\\' })]);
    const out = await waitUntil('a snapshot with the request', async () => {
      const s = await snapshot(stats);
      return s.includes('/slow') ? s : undefined;
    }, 10_000, 200);
    const line = out.split('\n').find((l) => l.includes('/slow')) as string;
    expect(line).to.include('GET /slow?ms=4000&x=\\x9B[31m\\x9B2J\\x22\\x5C');
    expect(out).to.not.match(RAW_CONTROL);
    // Seen: the 4 s the request lasts (a margin for the snapshot) are not waited out.
    await server.stop('SIGINT');
    await held;
  });
});

function snapshot(stats: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'top', stats], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`tsuwsgi top exited ${code}`));
    });
  });
}
