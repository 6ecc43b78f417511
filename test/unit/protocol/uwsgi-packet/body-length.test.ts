import { expect } from 'chai';
import { bodyLength, type UwsgiVars } from '../../../../src/protocol/index.js';

function vars(contentLength?: string): UwsgiVars {
  const v = Object.create(null) as UwsgiVars;
  if (contentLength !== undefined) v['CONTENT_LENGTH'] = contentLength;
  return v;
}

describe('protocol/bodyLength', () => {
  it('is 0 when CONTENT_LENGTH is missing or empty (nginx sends it empty on a GET)', () => {
    expect(bodyLength(vars(), 0)).to.equal(0);
    expect(bodyLength(vars(''), 0)).to.equal(0);
    expect(bodyLength(vars(''), 10)).to.equal(0);
  });

  it('reads plain digits', () => {
    expect(bodyLength(vars('0'), 0)).to.equal(0);
    expect(bodyLength(vars('20'), 0)).to.equal(20);
    expect(bodyLength(vars('007'), 0)).to.equal(7);
    expect(bodyLength(vars('1234567890'), 0)).to.equal(1234567890);
  });

  it('accepts Number.MAX_SAFE_INTEGER and refuses one more with 400', () => {
    expect(bodyLength(vars(String(Number.MAX_SAFE_INTEGER)), 0)).to.equal(Number.MAX_SAFE_INTEGER);
    expect(bodyLength(vars('9007199254740992'), 0)).to.deep.equal({
      kind: 'error', code: 'E_PROTO_BAD_LENGTH', status: 400,
      message: 'CONTENT_LENGTH "9007199254740992" is larger than 9007199254740991',
    });
    expect(bodyLength(vars('9'.repeat(400)), 0)).to.include({ code: 'E_PROTO_BAD_LENGTH', status: 400 });
  });

  for (const bad of ['-1', '+1', ' 5', '5 ', '1e3', '0x10', '5.0', '5, 5', 'abc', '\u0661', '１']) {
    it(`refuses ${JSON.stringify(bad)} with 400, naming the value`, () => {
      const r = bodyLength(vars(bad), 0);
      expect(r).to.deep.equal({
        kind: 'error', code: 'E_PROTO_BAD_LENGTH', status: 400,
        message: `CONTENT_LENGTH ${JSON.stringify(bad)} is not a number of bytes`,
      });
    });
  }

  it('cuts a long bad value short in the message', () => {
    const r = bodyLength(vars('x'.repeat(5000)), 0);
    if (typeof r === 'number') expect.fail('expected an error');
    expect(r.message.length).to.be.below(100);
  });

  it('accepts a length equal to limit-post and refuses one more with 413', () => {
    expect(bodyLength(vars('1000'), 1000)).to.equal(1000);
    expect(bodyLength(vars('1001'), 1000)).to.deep.equal({
      kind: 'error', code: 'E_PROTO_BODY_TOO_BIG', status: 413,
      message: 'request body of 1001 bytes (CONTENT_LENGTH) exceeds limit-post 1000: raise limit-post',
    });
    expect(bodyLength(vars('1'), 1)).to.equal(1);
    expect(bodyLength(vars('2'), 1)).to.include({ code: 'E_PROTO_BODY_TOO_BIG' });
  });

  it('has no limit when limit-post is 0', () => {
    expect(bodyLength(vars(String(Number.MAX_SAFE_INTEGER)), 0)).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it('checks the syntax before the limit', () => {
    expect(bodyLength(vars('99999x'), 10)).to.include({ code: 'E_PROTO_BAD_LENGTH' });
  });
});
