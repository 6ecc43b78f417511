import { expect } from 'chai';
import { judge, IGNORE, GONE, type ParseError, type Verdict } from '../../../src/server/http-client-error';
import { rawResponse } from '../../../src/server/raw-response';

const limits = { bufferSize: 4096, httpTimeout: 60 };

function parseError(code: string, reason = 'some reason', rawPacket?: Buffer): ParseError {
  return Object.assign(new Error('Parse Error'), { code, reason, ...(rawPacket === undefined ? {} : { rawPacket }) });
}

function verdict(code: string, inBody = false, rawPacket?: Buffer): Verdict {
  const v = judge(parseError(code, 'some reason', rawPacket), limits, inBody);
  if (typeof v === 'string') throw new Error(`expected a verdict for ${code}, got ${v}`);
  return v;
}

describe('server/http-client-error: what a clientError becomes', () => {
  it('a head over buffer-size: 431, the uwsgi socket\'s request-rejected line naming size and option', () => {
    const v = verdict('HPE_HEADER_OVERFLOW');
    expect(v.answer?.equals(rawResponse(431, 'Request Header Fields Too Large'))).to.equal(true);
    expect(v.fields).to.deep.equal({ event: 'request-rejected', code: 'E_PROTO_TOO_BIG', status: 431 });
    expect(v.level).to.equal('warn');
    expect(v.message).to.contain('4096').and.to.contain('buffer-size');
  });

  it('http-timeout: 408, an info timeout line saying which part was late', () => {
    const head = verdict('ERR_HTTP_REQUEST_TIMEOUT');
    expect(head.answer?.equals(rawResponse(408, 'Request Timeout'))).to.equal(true);
    expect(head.fields).to.deep.equal({ event: 'timeout', state: 'Head' });
    expect(head.level).to.equal('info');
    expect(head.message).to.contain('http-timeout (60 s)');
    expect(verdict('ERR_HTTP_REQUEST_TIMEOUT', true).fields).to.deep.equal({ event: 'timeout', state: 'Body' });
  });

  it('malformed HTTP: 400 and a bad-request line; Content-Length problems carry the uwsgi socket\'s code', () => {
    for (const code of ['HPE_INVALID_METHOD', 'HPE_INVALID_HEADER_TOKEN', 'HPE_INVALID_CHUNK_SIZE', 'HPE_INVALID_TRANSFER_ENCODING', 'HPE_STRICT']) {
      const v = verdict(code);
      expect(v.answer?.equals(rawResponse(400, 'Bad Request')), code).to.equal(true);
      expect(v.fields, code).to.deep.equal({ event: 'bad-request', code: 'E_HTTP_BAD_REQUEST' });
      expect(v.message, code).to.contain(code).and.to.contain('some reason');
    }
    for (const code of ['HPE_INVALID_CONTENT_LENGTH', 'HPE_UNEXPECTED_CONTENT_LENGTH']) {
      expect(verdict(code).fields, code).to.deep.equal({ event: 'bad-request', code: 'E_PROTO_BAD_LENGTH' });
    }
  });

  it('names TLS and HTTP/2 spoken to an http-socket', () => {
    expect(verdict('HPE_INVALID_METHOD', false, Buffer.from([0x16, 0x03, 0x01])).message).to.contain('TLS');
    expect(verdict('HPE_PAUSED_H2_UPGRADE').message).to.contain('HTTP/2');
  });

  it('a peer that closes mid-head is a truncated request (no answer); mid-body it is a client gone', () => {
    const v = verdict('HPE_INVALID_EOF_STATE');
    expect(v.answer).to.equal(undefined);
    expect(v.fields).to.deep.equal({ event: 'bad-request', code: 'E_PROTO_TRUNCATED' });
    expect(judge(parseError('HPE_INVALID_EOF_STATE'), limits, true)).to.equal(GONE);
  });

  it('bytes after Connection: close are ignored; socket errors and tsuwsgi\'s own aborts are a peer gone', () => {
    expect(judge(parseError('HPE_CLOSED_CONNECTION'), limits, false)).to.equal(IGNORE);
    for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'E_PROTO_BODY_TOO_BIG', '']) {
      expect(judge(parseError(code), limits, false), code).to.equal(GONE);
    }
  });
});
