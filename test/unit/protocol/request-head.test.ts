/** The pure vars → HTTP head mapping: what an app sees, and what is refused before it runs. */
import { expect } from 'chai';
import { requestHead, type RequestHead, type UwsgiVars } from '../../../src/protocol';

function vars(v: Record<string, string>): UwsgiVars {
  return Object.assign(Object.create(null) as UwsgiVars, v);
}

function head(v: Record<string, string>, body = 0): RequestHead {
  const h = requestHead(vars(v), body);
  if ('kind' in h) throw new Error(`refused: ${h.message}`);
  return h;
}

function refusal(v: Record<string, string>): { code: string; message: string; status?: number } {
  const h = requestHead(vars(v), 0);
  if (!('kind' in h)) throw new Error('accepted');
  return h;
}

const GET = { REQUEST_METHOD: 'GET', REQUEST_URI: '/' };

describe('protocol/requestHead: mapping', () => {
  it('takes method and URI as sent', () => {
    const h = head({ REQUEST_METHOD: 'PROPFIND', REQUEST_URI: '/a/b?c=%20d' });
    expect(h).to.include({ method: 'PROPFIND', url: '/a/b?c=%20d', http10: false });
  });

  it('without REQUEST_URI: PATH_INFO and QUERY_STRING, or /', () => {
    expect(head({ REQUEST_METHOD: 'GET', PATH_INFO: '/p', QUERY_STRING: 'q=1' }).url).to.equal('/p?q=1');
    expect(head({ REQUEST_METHOD: 'GET', PATH_INFO: '/p' }).url).to.equal('/p');
    expect(head({ REQUEST_METHOD: 'GET' }).url).to.equal('/');
  });

  it('HTTP/1.0 only when SERVER_PROTOCOL says so', () => {
    expect(head({ ...GET, SERVER_PROTOCOL: 'HTTP/1.0' }).http10).to.equal(true);
    expect(head({ ...GET, SERVER_PROTOCOL: 'HTTP/2.0' }).http10).to.equal(false);
  });

  it('HTTP_* vars become lower-case dashed headers, raw headers keep the order', () => {
    const h = head({ ...GET, HTTP_HOST: 'example.com', HTTP_X_FORWARDED_FOR: '1.2.3.4, 5.6.7.8', HTTP_COOKIE: 'a=1; b=2' });
    expect(h.headers).to.deep.equal({ host: 'example.com', 'x-forwarded-for': '1.2.3.4, 5.6.7.8', cookie: 'a=1; b=2' });
    expect(h.rawHeaders).to.deep.equal(['host', 'example.com', 'x-forwarded-for', '1.2.3.4, 5.6.7.8', 'cookie', 'a=1; b=2']);
  });

  it('CGI vars are not headers', () => {
    const h = head({ ...GET, DOCUMENT_ROOT: '/srv', REMOTE_ADDR: '1.2.3.4', PATH: '/bin', SCRIPT_FILENAME: 'proxy:uwsgi://x' });
    expect(h.headers).to.deep.equal({});
  });

  it('CONTENT_TYPE and CONTENT_LENGTH are authoritative; their HTTP_ copies and Transfer-Encoding are dropped', () => {
    const h = head({ ...GET, CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '5', HTTP_CONTENT_TYPE: 'x/y', HTTP_CONTENT_LENGTH: '99', HTTP_TRANSFER_ENCODING: 'chunked' }, 5);
    expect(h.headers).to.deep.equal({ 'content-type': 'text/plain', 'content-length': '5' });
  });

  it('nginx on a GET: empty CONTENT_TYPE and CONTENT_LENGTH give no content headers', () => {
    expect(head({ ...GET, CONTENT_TYPE: '', CONTENT_LENGTH: '' }).headers).to.deep.equal({});
  });

  it('CONTENT_LENGTH "0" is kept as a header, as the client sent it', () => {
    expect(head({ ...GET, CONTENT_LENGTH: '0' }).headers).to.deep.equal({ 'content-length': '0' });
  });

  it('values may carry TAB and bytes 0x80-0xff (latin1), as Node allows', () => {
    const h = head({ ...GET, HTTP_X_A: 'a\tb', HTTP_X_B: '\x80\xff caf\xe9', REQUEST_URI: '/caf\xe9' });
    expect(h.headers).to.include({ 'x-a': 'a\tb', 'x-b': '\x80\xff caf\xe9' });
    expect(h.url).to.equal('/caf\xe9');
  });

  it('header names may use every token character', () => {
    const h = head({ ...GET, "HTTP_X!#$%&'*+.^`|~9": 'v' });
    expect(h.headers).to.have.property("x!#$%&'*+.^`|~9", 'v');
  });
});

describe('protocol/requestHead: refused before the app runs (400)', () => {
  it('no REQUEST_METHOD, or an empty one: E_PROTO_NO_METHOD', () => {
    expect(refusal({ REQUEST_URI: '/' })).to.include({ code: 'E_PROTO_NO_METHOD', status: 400 });
    expect(refusal({ REQUEST_METHOD: '', REQUEST_URI: '/' })).to.include({ code: 'E_PROTO_NO_METHOD', status: 400 });
    expect(refusal({})).to.include({ code: 'E_PROTO_NO_METHOD' });
  });

  const bad: [string, Record<string, string>][] = [
    ['a method with a space', { REQUEST_METHOD: 'GET /', REQUEST_URI: '/' }],
    ['a method with a slash', { REQUEST_METHOD: 'G/T', REQUEST_URI: '/' }],
    ['a method above ASCII', { REQUEST_METHOD: 'G\xe9T', REQUEST_URI: '/' }],
    ['CR in a value', { ...GET, HTTP_X: 'a\rb' }],
    ['LF in a value', { ...GET, HTTP_X: 'a\nb' }],
    ['NUL in a value', { ...GET, HTTP_X: 'a\0b' }],
    ['ESC in a value', { ...GET, HTTP_X: 'a\x1b[2Jb' }],
    ['DEL in a value', { ...GET, HTTP_X: 'a\x7fb' }],
    ['a space in a name', { ...GET, 'HTTP_A B': 'v' }],
    ['a colon in a name', { ...GET, 'HTTP_A:B': 'v' }],
    ['a name above ASCII', { ...GET, HTTP_CAF\u00c9: 'v' }],
    ['an empty name', { ...GET, HTTP_: 'v' }],
    ['a control in a name', { ...GET, 'HTTP_A\nB': 'v' }],
    ['LF in the URI', { REQUEST_METHOD: 'GET', REQUEST_URI: '/a\nb' }],
    ['a space in the URI', { REQUEST_METHOD: 'GET', REQUEST_URI: '/a b' }],
    ['a TAB in the URI', { REQUEST_METHOD: 'GET', REQUEST_URI: '/a\tb' }],
    ['DEL in the URI', { REQUEST_METHOD: 'GET', REQUEST_URI: '/a\x7f' }],
    ['LF in PATH_INFO (no REQUEST_URI)', { REQUEST_METHOD: 'GET', PATH_INFO: '/a\nb' }],
    ['LF in QUERY_STRING (no REQUEST_URI)', { REQUEST_METHOD: 'GET', PATH_INFO: '/a', QUERY_STRING: 'x\ny' }],
    ['CR LF in CONTENT_TYPE', { ...GET, CONTENT_TYPE: 'text/plain\r\nX-Evil: 1' }],
  ];
  for (const [name, v] of bad) {
    it(`${name}: E_PROTO_BAD_VAR, naming the var`, () => {
      const r = refusal(v);
      expect(r).to.include({ code: 'E_PROTO_BAD_VAR', status: 400 });
      expect(r.message).to.match(/^uwsgi var "/);
      expect(r.message).to.not.match(/[\r\n\0]/);
    });
  }

  it('the message quotes long values shortened', () => {
    const r = refusal({ ...GET, HTTP_X: `${'a'.repeat(500)}\n` });
    expect(r.message.length).to.be.below(200);
  });
});
