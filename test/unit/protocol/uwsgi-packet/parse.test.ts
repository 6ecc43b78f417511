import { expect } from 'chai';
import {
  encodePacket, encodePing, encodePong, parsePacket, type ProtocolError, type RequestPacket,
} from '../../../../src/protocol/index.js';
import { LIMITS, inheritsNothing, packetWithBlockSize, rawPacket, u16 } from '../helpers.js';

function request(buf: Buffer, limits = LIMITS): RequestPacket {
  const result = parsePacket(buf, limits);
  if (result.kind !== 'request') expect.fail(`expected a request, got ${JSON.stringify(result)}`);
  return result;
}

function error(buf: Buffer, limits = LIMITS): ProtocolError {
  const result = parsePacket(buf, limits);
  if (result.kind !== 'error') expect.fail(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

describe('protocol/parsePacket: header', () => {
  it('wants more until the 4 header bytes are there', () => {
    const packet = encodePacket({ A: 'b' });
    for (let n = 0; n < 4; n++) expect(parsePacket(packet.subarray(0, n), LIMITS)).to.deep.equal({ kind: 'need-more' });
  });

  it('accepts an empty vars block (datasize 0)', () => {
    const r = request(Buffer.from([0, 0, 0, 0]));
    expect({ ...r.vars }).to.deep.equal({});
    expect(r.varCount).to.equal(0);
    expect(r.headerLength).to.equal(4);
  });

  it('reads datasize little-endian', () => {
    // 0x10 0x01 is 272 little-endian; read big-endian it would be 4097 and exceed buffer-size.
    const packet = packetWithBlockSize(272);
    expect([...packet.subarray(0, 4)]).to.deep.equal([0, 0x10, 0x01, 0]);
    expect(parsePacket(packet.subarray(0, 275), LIMITS).kind).to.equal('need-more');
    expect(request(packet).headerLength).to.equal(276);
  });

  it('passes modifier2 of a request through', () => {
    const r = request(encodePacket({ A: '1' }, 0, 7));
    expect(r.modifier1).to.equal(0);
    expect(r.modifier2).to.equal(7);
  });

  it('returns a fresh vars object with no prototype for every parse', () => {
    const packet = encodePacket({ A: '1' });
    const a = request(packet);
    const b = request(packet);
    expect(inheritsNothing(a.vars)).to.equal(true);
    expect(inheritsNothing({})).to.equal(false);
    expect(a.vars).to.not.equal(b.vars);
  });
});

describe('protocol/parsePacket: buffer-size', () => {
  const cases: [number, number][] = [[4096, 4096], [65535, 65535], [100, 100], [65534, 65534]];
  for (const [bufferSize, size] of cases) {
    it(`accepts a ${size}-byte block under buffer-size ${bufferSize}`, () => {
      const r = request(packetWithBlockSize(size), { bufferSize });
      expect(r.headerLength).to.equal(4 + size);
      expect(r.vars['X']).to.have.length(size - 5);
    });
  }

  for (const [bufferSize, size] of [[4096, 4097], [65534, 65535], [100, 101], [0, 5]]) {
    it(`refuses a ${size}-byte block under buffer-size ${bufferSize} with 431, from the header alone`, () => {
      const header = packetWithBlockSize(size).subarray(0, 4);
      const r = error(header, { bufferSize: bufferSize! });
      expect(r).to.deep.equal({
        kind: 'error', code: 'E_PROTO_TOO_BIG', status: 431,
        message: `uwsgi vars block of ${size} bytes exceeds buffer-size ${bufferSize}: raise buffer-size (max 65535)`,
      });
    });
  }

  it('names the size in the message as the brief example', () => {
    const header = Buffer.from([0, 70000 & 0xff, 0xff, 0]); // 65392 is the nearest a u16 gets
    expect(error(header).message).to.match(/^uwsgi vars block of 65392 bytes exceeds buffer-size 4096: raise buffer-size/);
  });

  it('applies to a ping block too', () => {
    expect(error(Buffer.from([100, 0x01, 0x10, 0])).code).to.equal('E_PROTO_TOO_BIG');
  });

  it('does not cap the number of vars below what buffer-size allows', () => {
    const pairs: [string, string][] = [];
    for (let i = 0; i < 5000; i++) pairs.push([`K${i}`, String(i)]);
    const r = request(encodePacket(pairs), { bufferSize: 65535 });
    expect(r.varCount).to.equal(5000);
    expect(Object.keys(r.vars)).to.have.length(5000);
    expect(r.vars['K4999']).to.equal('4999');
  });
});

describe('protocol/parsePacket: HTTP, TLS and other modifiers', () => {
  const requests = [
    'GET / HTTP/1.1\r\nHost: example.test\r\n\r\n', 'POST /form HTTP/1.1\r\n', 'HEAD / HTTP/1.0\r\n', 'PUT /x HTTP/1.1\r\n',
    'DELETE /x HTTP/1.1\r\n', 'OPTIONS * HTTP/1.1\r\n', 'PATCH /x HTTP/1.1\r\n', 'CONNECT a:443 HTTP/1.1\r\n',
    'TRACE / HTTP/1.1\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'M-SEARCH * HTTP/1.1\r\n', 'PROPFIND /d HTTP/1.1\r\n',
  ];
  for (const text of requests) {
    it(`recognises ${JSON.stringify(text.slice(0, 9))}... from its first 4 bytes`, () => {
      for (const bytes of [Buffer.from(text, 'latin1'), Buffer.from(text, 'latin1').subarray(0, 4)]) {
        // bufferSize 65535: a size check alone would wait for 21573+ bytes instead of answering.
        const r = error(bytes, { bufferSize: 65535 });
        expect(r.code).to.equal('E_PROTO_HTTP_ON_UWSGI');
        expect(r.message).to.contain('HTTP request on a uwsgi socket: point nginx at it with uwsgi_pass, or use http-socket');
        expect(r).to.not.have.property('status');
      }
    });
  }

  it('quotes the 4 bytes it judged by, the same however many arrived', () => {
    expect(error(Buffer.from('GET /x HTTP/1.1\r\n')).message).to.match(/\(request starts "GET "\)$/);
    expect(error(Buffer.from('POST')).message).to.match(/\(request starts "POST"\)$/);
  });

  it('is how uWSGI\'s "21573" block size shows up: GET reads as datasize 21573', () => {
    expect(Buffer.from('GET ').readUInt16LE(1)).to.equal(21573);
    expect(error(Buffer.from('GET '), { bufferSize: 4096 }).code).to.equal('E_PROTO_HTTP_ON_UWSGI');
  });

  it('recognises a TLS ClientHello', () => {
    const r = error(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]));
    expect(r.code).to.equal('E_PROTO_HTTP_ON_UWSGI');
    expect(r.message).to.match(/^TLS handshake on a uwsgi socket/);
  });

  it('refuses modifier1 42 by name, from the header alone and before the size check', () => {
    for (const packet of [encodePacket({ A: 'b' }, 42), Buffer.from([42, 0xff, 0xff, 0])]) {
      const r = error(packet.subarray(0, 4));
      expect(r.code).to.equal('E_PROTO_MODIFIER');
      expect(r.message).to.contain('modifier1 42');
      expect(r).to.not.have.property('status');
    }
  });

  it('refuses every modifier1 other than 0 and 100', () => {
    for (let m = 1; m < 256; m++) {
      if (m === 100) continue;
      expect(parsePacket(Buffer.from([m, 0, 0, 0]), LIMITS).kind, `modifier1 ${m}`).to.equal('error');
    }
  });

  it('refuses modifier1 100 with a modifier2 other than 0 (a pong is not a request)', () => {
    const r = error(encodePong());
    expect(r.code).to.equal('E_PROTO_MODIFIER');
    expect(r.message).to.contain('modifier2 1');
  });

  it('treats 64 00 00 00 as a ping', () => {
    expect(parsePacket(encodePing(), LIMITS)).to.deep.equal({ kind: 'ping' });
    expect(parsePacket(Buffer.from([0x64, 0, 0, 0]), LIMITS)).to.deep.equal({ kind: 'ping' });
  });

  it('waits for and skips the block of a ping that has one', () => {
    const ping = rawPacket([1, 2, 3], 100, 0);
    for (let n = 0; n < ping.length; n++) expect(parsePacket(ping.subarray(0, n), LIMITS).kind).to.equal('need-more');
    expect(parsePacket(ping, LIMITS)).to.deep.equal({ kind: 'ping' });
  });
});

describe('protocol/parsePacket: malformed vars blocks', () => {
  const cases: { name: string; block: Buffer; message: string }[] = [
    { name: 'a stray byte after the last var', block: Buffer.concat([encodePacket({ A: 'b' }).subarray(4), Buffer.from([7])]),
      message: '1 stray byte at offset 10 after the last var' },
    { name: 'a lone stray byte', block: Buffer.from([0]), message: '1 stray byte at offset 4' },
    { name: 'a key length past the block', block: Buffer.concat([u16(10), Buffer.from('abc')]),
      message: 'key length 10 at offset 4 runs past the end of the block (offset 9)' },
    { name: 'a huge key length', block: Buffer.concat([u16(65535), Buffer.from('abc')]),
      message: 'key length 65535 at offset 4' },
    { name: 'a block that ends after the key', block: Buffer.concat([u16(3), Buffer.from('KEY')]),
      message: 'the block ends inside the value length of key "KEY" at offset 9' },
    { name: 'a block that ends inside the value length', block: Buffer.concat([u16(3), Buffer.from('KEY'), Buffer.from([1])]),
      message: 'the block ends inside the value length of key "KEY" at offset 9' },
    { name: 'a value length past the block', block: Buffer.concat([u16(1), Buffer.from('K'), u16(5), Buffer.from('1234')]),
      message: 'value length 5 of key "K" at offset 7 runs past the end of the block (offset 13)' },
    { name: 'trailing garbage after valid vars', block: Buffer.concat([encodePacket({ A: 'b', C: 'd' }).subarray(4), Buffer.from('xyz')]),
      message: 'key length 31096 at offset 16' },
    { name: 'an empty key whose value runs past the block', block: Buffer.concat([u16(0), u16(9), Buffer.from('v')]),
      message: 'value length 9 of key "" at offset 6' },
  ];
  for (const { name, block, message } of cases) {
    it(`refuses ${name}, naming the offset`, () => {
      const r = error(rawPacket(block));
      expect(r.code).to.equal('E_PROTO_VARS');
      expect(r.message).to.contain(`malformed uwsgi vars block: ${message}`);
      expect(r).to.not.have.property('status');
    });
  }

  it('keeps at most 64 chars of a long key in the message', () => {
    const key = 'K'.repeat(200);
    const r = error(rawPacket(Buffer.concat([u16(200), Buffer.from(key)])));
    expect(r.message).to.contain(`"${'K'.repeat(64)}..."`);
    expect(r.message).to.not.contain('K'.repeat(65));
  });

  it('does not read past datasize even when more bytes follow (the body)', () => {
    // The value length points 3 bytes past the block, where body bytes happen to be.
    const packet = rawPacket(Buffer.concat([u16(1), Buffer.from('K'), u16(4), Buffer.from('1')]));
    expect(error(Buffer.concat([packet, Buffer.from('BODY')])).code).to.equal('E_PROTO_VARS');
  });
});

describe('protocol/parsePacket: vars', () => {
  it('skips a var with an empty key and does not count it', () => {
    const r = request(encodePacket([['', 'ignored'], ['A', '1'], ['', ''], ['B', '']]));
    expect({ ...r.vars }).to.deep.equal({ A: '1', B: '' });
    expect(r.varCount).to.equal(2);
  });

  it('joins repeated HTTP_COOKIE with "; " and every other repeated key with ", "', () => {
    const r = request(encodePacket([
      ['HTTP_COOKIE', 'a=1'], ['HTTP_X_FORWARDED_FOR', '203.0.113.7'], ['HTTP_COOKIE', 'b=2'],
      ['X_CUSTOM', 'one'], ['HTTP_X_FORWARDED_FOR', '198.51.100.2'], ['HTTP_COOKIE', 'c=3'], ['X_CUSTOM', 'two'],
      ['HTTP_COOKIES', 'x'], ['HTTP_COOKIES', 'y'], ['REQUEST_METHOD', 'GET'],
    ]));
    expect({ ...r.vars }).to.deep.equal({
      HTTP_COOKIE: 'a=1; b=2; c=3', HTTP_X_FORWARDED_FOR: '203.0.113.7, 198.51.100.2', X_CUSTOM: 'one, two',
      HTTP_COOKIES: 'x, y', REQUEST_METHOD: 'GET',
    });
    expect(r.varCount).to.equal(10);
  });

  it('keeps keys that collide with Object.prototype names as plain own vars', () => {
    const r = request(encodePacket([['__proto__', 'p'], ['constructor', 'c'], ['toString', 't'], ['hasOwnProperty', 'h']]));
    expect(inheritsNothing(r.vars)).to.equal(true);
    expect(r.vars['constructor']).to.equal('c');
    expect(r.vars['toString']).to.equal('t');
    expect(Object.keys(r.vars)).to.deep.equal(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(r.vars['__proto__']).to.equal('p');
    expect(({} as Record<string, unknown>)['p']).to.equal(undefined);
  });

  it('tells apart keys that differ from a common key by one byte or in length', () => {
    const keys = ['HTTP_HOST', 'HTTP_HOSU', 'HTTP_HOS', 'HTTP_HOSTS', 'http_host', 'XTTP_HOST', 'HTTP_COOKIE',
      'HTTP_COOKIF', 'REQUEST_URI', 'REQUEST_URJ', 'HTTPS', 'HTTPX', 'PATH', 'PATH_INFO', 'PATH_INFP'];
    const r = request(encodePacket(keys.map((k, i): [string, string] => [k, String(i)])));
    expect(Object.keys(r.vars)).to.deep.equal(keys);
    keys.forEach((k, i) => expect(r.vars[k]).to.equal(String(i)));
  });

  it('decodes bytes as latin1, so every byte value round-trips', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const highKey = String.fromCharCode(...Array.from({ length: 128 }, (_, i) => 128 + i));
    const r = request(encodePacket([['V', all], [highKey, 'x']]), { bufferSize: 65535 });
    expect(r.vars['V']).to.equal(all);
    expect(r.vars[highKey]).to.equal('x');
    expect(Buffer.from(r.vars['V']!, 'latin1')).to.deep.equal(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  });

  it('leaves UTF-8 sent by the front end recoverable from the latin1 string', () => {
    const block = Buffer.concat([u16(9), Buffer.from('PATH_INFO'), u16(6), Buffer.from('/café', 'utf8')]);
    const r = request(rawPacket(block));
    expect(r.vars['PATH_INFO']).to.equal('/cafÃ©');
    expect(Buffer.from(r.vars['PATH_INFO']!, 'latin1').toString('utf8')).to.equal('/café');
  });

  it('keeps long and short values intact (substring sharing does not leak neighbours)', () => {
    const pairs: [string, string][] = [['A', 'x'.repeat(12)], ['B', 'y'.repeat(13)], ['C', 'z'.repeat(3000)], ['D', '']];
    const r = request(encodePacket(pairs));
    for (const [k, v] of pairs) expect(r.vars[k]).to.equal(v);
  });

  it('points headerLength at the body when body bytes follow in the same buffer', () => {
    const packet = encodePacket({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11' });
    const body = Buffer.from('hello=world');
    const all = Buffer.concat([packet, body]);
    const r = request(all);
    expect(r.headerLength).to.equal(packet.length);
    expect(all.subarray(r.headerLength).toString()).to.equal('hello=world');
    expect({ ...r.vars }).to.deep.equal({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11' });
  });

  it('does not mistake a body that looks like HTTP or a packet for anything', () => {
    const packet = encodePacket({ A: '1' });
    for (const body of [Buffer.from('GET / HTTP/1.1\r\n'), encodePing(), Buffer.from([0, 0xff, 0xff, 0])]) {
      expect(request(Buffer.concat([packet, body])).headerLength).to.equal(packet.length);
    }
  });
});
