import { expect } from 'chai';
import { bodyLength, encodePacket, parsePacket, type RequestPacket } from '../../../../src/protocol/index.js';
import { LIMITS, NGINX_FIXTURES, fixture, joinPairs } from '../helpers.js';

function parse(bytes: Buffer): RequestPacket {
  const r = parsePacket(bytes, LIMITS);
  if (r.kind !== 'request') expect.fail(JSON.stringify(r));
  return r;
}

describe('protocol: packets captured from nginx', () => {
  for (const name of NGINX_FIXTURES) {
    it(`${name}: parses to the recorded vars, count, body offset and body`, () => {
      const f = fixture(name);
      const r = parse(f.bytes);
      expect(r.modifier2).to.equal(f.modifier2);
      expect(r.headerLength).to.equal(f.headerLength);
      expect(r.varCount).to.equal(f.varCount);
      expect({ ...r.vars }).to.deep.equal({ ...joinPairs(f.pairs) });
      expect(f.bytes.subarray(r.headerLength).toString('latin1')).to.equal(f.body);
      expect(bodyLength(r.vars, 0)).to.equal(f.body.length);
    });

    it(`${name}: re-encodes to the same bytes`, () => {
      const f = fixture(name);
      expect(encodePacket(f.pairs).equals(f.bytes.subarray(0, f.headerLength))).to.equal(true);
    });
  }

  it('nginx-get: Debian uwsgi_params in order, empty CONTENT_*, repeated headers joined', () => {
    const f = fixture('nginx-get');
    expect(f.pairs.slice(0, 14).map(([k]) => k)).to.deep.equal([
      'QUERY_STRING', 'REQUEST_METHOD', 'CONTENT_TYPE', 'CONTENT_LENGTH', 'REQUEST_URI', 'PATH_INFO', 'DOCUMENT_ROOT',
      'SERVER_PROTOCOL', 'REQUEST_SCHEME', 'REMOTE_ADDR', 'REMOTE_PORT', 'SERVER_PORT', 'SERVER_NAME', 'HTTP_HOST',
    ]);
    const { vars, varCount } = parse(f.bytes);
    expect(vars['CONTENT_TYPE']).to.equal('');
    expect(vars['CONTENT_LENGTH']).to.equal('');
    expect(vars['HTTP_COOKIE']).to.equal('sessionid=abc123def456; csrftoken=Zx9QwErTy');
    expect(vars['HTTP_X_FORWARDED_FOR']).to.equal('203.0.113.7, 198.51.100.2');
    expect(vars['QUERY_STRING']).to.equal('page=2&sort=name');
    expect(vars['HTTP_HOST']).to.equal('example.test');
    expect(varCount).to.equal(24);
    expect(Object.keys(vars)).to.have.length(22);
  });

  it('nginx-post-form: a latin1 header byte survives, the body follows the block', () => {
    const { vars, headerLength } = parse(fixture('nginx-post-form').bytes);
    expect(vars['HTTP_X_LATIN']).to.equal('caf\xe9 cr\xe8me');
    expect(vars['CONTENT_LENGTH']).to.equal('20');
    expect(headerLength).to.equal(509);
  });

  it('nginx-post-chunked: de-chunked body with CONTENT_LENGTH, HTTP_TRANSFER_ENCODING still passed', () => {
    const { vars } = parse(fixture('nginx-post-chunked').bytes);
    expect(vars['CONTENT_LENGTH']).to.equal('19');
    expect(vars['HTTP_TRANSFER_ENCODING']).to.equal('chunked');
  });
});
