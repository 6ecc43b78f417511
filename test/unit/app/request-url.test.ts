import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { escapePath, requestUrl, validAuthority } from '../../../src/app/request-url';
import { kServerVars } from '../../../src/app/server-vars';
import { kPacket } from '../../../src/server/node-request';

interface Fake {
  url: string;
  host?: string;
  encrypted?: boolean;
  local?: { address?: string; port?: number };
  server?: { SERVER_NAME?: string; SERVER_PORT?: string };
  uwsgi?: boolean;
}

function req(f: Fake): IncomingMessage {
  const r = {
    url: f.url,
    headers: f.host === undefined ? {} : { host: f.host },
    socket: { encrypted: f.encrypted, localAddress: f.local?.address, localPort: f.local?.port },
  } as unknown as Record<symbol, unknown>;
  if (f.server !== undefined) r[kServerVars] = f.server;
  if (f.uwsgi === true) r[kPacket] = { vars: 0, size: 0 };
  return r as unknown as IncomingMessage;
}

const pathOf = (url: string | undefined): string => new URL(url as string).pathname;

describe('app/request-url: the URL a fetch app sees', () => {
  it('keeps a valid Host (lower-cased by the URL parser) and the path as sent', () => {
    expect(requestUrl(req({ url: '/a/b?c=1', host: 'Example.org:8080' }))).to.equal('http://example.org:8080/a/b?c=1');
    expect(requestUrl(req({ url: '/', host: 'example.org', encrypted: true }))).to.equal('https://example.org/');
    expect(requestUrl(req({ url: '/x', host: '10.1.2.3' }))).to.equal('http://10.1.2.3/x');
    expect(requestUrl(req({ url: '/x', host: '[::1]:81' }))).to.equal('http://[::1]:81/x');
  });

  it('a Host with \\, ?, # or / never changes the path (the issue: x\\admin? on GET /public)', () => {
    for (const host of ['x\\admin?', 'x?', 'x#', 'x/admin', 'x\\', 'a@b', 'x y', '', 'x:0', 'x:65536', 'x:', '[::1', '1.2.3.999', 'foo.123', 'x%2Fy']) {
      const url = requestUrl(req({ url: '/public', host, uwsgi: true }));
      expect(url, JSON.stringify(host)).to.equal('http://localhost/public');
    }
  });

  it('falls back to SERVER_NAME[:SERVER_PORT] on uwsgi, leaving out the scheme\'s default port', () => {
    const server = (name: string, port: string) => ({ SERVER_NAME: name, SERVER_PORT: port });
    expect(requestUrl(req({ url: '/p', host: 'x\\y', server: server('site.example', '8080') }))).to.equal('http://site.example:8080/p');
    expect(requestUrl(req({ url: '/p', server: server('site.example', '80') }))).to.equal('http://site.example/p');
    expect(requestUrl(req({ url: '/p', server: server('site.example', '443'), encrypted: true }))).to.equal('https://site.example/p');
    // nginx gives "" without server_name, and the regex text for a regex server_name.
    expect(requestUrl(req({ url: '/p', server: server('', '8080') }))).to.equal('http://localhost:8080/p');
    expect(requestUrl(req({ url: '/p', server: server('~^(www\\.)?(.+)$', '80') }))).to.equal('http://localhost/p');
  });

  it('falls back to the socket\'s local address on http-socket', () => {
    expect(requestUrl(req({ url: '/p', local: { address: '127.0.0.1', port: 8081 } }))).to.equal('http://127.0.0.1:8081/p');
    expect(requestUrl(req({ url: '/p', host: '', local: { address: '::1', port: 80 } }))).to.equal('http://[::1]/p');
    expect(requestUrl(req({ url: '/p', local: {} }))).to.equal('http://localhost/p');
  });

  it('"//evil.example/x" is a path', () => {
    const url = requestUrl(req({ url: '//evil.example/x', host: 'example.org' }));
    expect(url).to.equal('http://example.org//evil.example/x');
    expect(new URL(url as string).host).to.equal('example.org');
    expect(pathOf(url)).to.equal('//evil.example/x');
  });

  it('absolute-form: its path, and its authority when valid', () => {
    expect(requestUrl(req({ url: 'http://other.example/a?b', host: 'example.org' }))).to.equal('http://other.example/a?b');
    expect(requestUrl(req({ url: 'HTTP://other.example', host: 'example.org' }))).to.equal('http://other.example/');
    expect(requestUrl(req({ url: 'http://other.example?q', host: 'example.org' }))).to.equal('http://other.example/?q');
    expect(requestUrl(req({ url: 'http://a@b/public', uwsgi: true }))).to.equal('http://localhost/public');
    // In absolute-form a ? ends the authority: the rest is the query of an empty path.
    expect(requestUrl(req({ url: 'http://x\\admin?/public', uwsgi: true }))).to.equal('http://localhost/?/public');
  });

  it('a target without a path (asterisk-form, a bare word, nothing) gives undefined', () => {
    for (const url of ['*', 'admin', '', 'ftp://x/y']) expect(requestUrl(req({ url, host: 'example.org' })), url).to.equal(undefined);
  });

  it('the path keeps what the URL parser would reinterpret or drop, as the bytes it is', () => {
    expect(pathOf(requestUrl(req({ url: '/public\\..\\admin', host: 'h' })))).to.equal('/public%5C..%5Cadmin');
    expect(pathOf(requestUrl(req({ url: '/ad\tmin', host: 'h' })))).to.equal('/ad%09min');
    expect(pathOf(requestUrl(req({ url: '/ad\nmin', host: 'h' })))).to.equal('/ad%0Amin');
    expect(pathOf(requestUrl(req({ url: '/admin\x01', host: 'h' })))).to.equal('/admin%01');
    expect(pathOf(requestUrl(req({ url: '/admin ', host: 'h' })))).to.equal('/admin%20');
    // latin1: the byte 0xE9, not U+00E9's two UTF-8 bytes.
    expect(pathOf(requestUrl(req({ url: '/caf\xe9', host: 'h' })))).to.equal('/caf%E9');
    expect(pathOf(requestUrl(req({ url: '/caf%C3%A9', host: 'h' })))).to.equal('/caf%C3%A9');
  });

  it('escapePath returns the very string when nothing needs escaping', () => {
    const p = '/a/b?c=d&e=%20';
    expect(escapePath(p)).to.equal(p);
  });

  it('validAuthority accepts reg-names, IPv4 and [IPv6] with a port 1-65535 only', () => {
    expect(validAuthority('example.org')).to.equal('example.org');
    expect(validAuthority('EXAMPLE.org:1')).to.equal('example.org:1');
    expect(validAuthority('example.org:65535')).to.equal('example.org:65535');
    expect(validAuthority('example.org:80')).to.equal('example.org');
    expect(validAuthority('example.org:80', true), 'not the default port of https').to.equal('example.org:80');
    expect(validAuthority('example.org:443', true)).to.equal('example.org');
    expect(requestUrl(req({ url: '/', host: 'example.org:80', encrypted: true }))).to.equal('https://example.org:80/');
    expect(validAuthority('my_host.internal')).to.equal('my_host.internal');
    expect(validAuthority('[2001:db8::1]:443')).to.equal('[2001:db8::1]:443');
    for (const bad of ['example.org:0', 'example.org:65536', 'example.org:123456', '[zz::1]', 'a..b\\', 'a b', 'a\x00b']) {
      expect(validAuthority(bad), JSON.stringify(bad)).to.equal(undefined);
    }
  });
});
