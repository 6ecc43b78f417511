import { expect } from 'chai';
import { UwsgiFramer, encodePacket, encodePing } from '../../../src/protocol/index.js';
import { LIMITS, fixture } from './helpers.js';

describe('protocol/UwsgiFramer', () => {
  it('frames a whole packet in one chunk without copying the leftover', () => {
    const packet = encodePacket({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '4' });
    const chunk = Buffer.concat([packet, Buffer.from('body')]);
    const r = new UwsgiFramer(LIMITS).push(chunk);
    if (r.kind !== 'request') expect.fail(JSON.stringify(r));
    expect(r.rest.toString()).to.equal('body');
    expect(r.rest.buffer).to.equal(chunk.buffer);
    expect(r.headerLength).to.equal(packet.length);
    expect(r.vars['CONTENT_LENGTH']).to.equal('4');
  });

  it('gives an empty rest when nothing follows the packet', () => {
    const r = new UwsgiFramer(LIMITS).push(encodePacket({ A: '1' }));
    if (r.kind !== 'request') expect.fail(JSON.stringify(r));
    expect(r.rest.length).to.equal(0);
  });

  it('gives the rest from the chunk that completed the packet', () => {
    const { bytes, headerLength } = fixture('nginx-post-form');
    const framer = new UwsgiFramer(LIMITS);
    expect(framer.push(bytes.subarray(0, 2)).kind).to.equal('need-more');
    expect(framer.bytesPending).to.equal(2);
    expect(framer.push(bytes.subarray(2, 300)).kind).to.equal('need-more');
    expect(framer.bytesPending).to.equal(300);
    const r = framer.push(bytes.subarray(300, headerLength + 5));
    if (r.kind !== 'request') expect.fail(JSON.stringify(r));
    expect(r.rest.toString('latin1')).to.equal('name=');
    expect(framer.bytesPending).to.equal(0);
  });

  it('answers an oversize block as soon as the 4th header byte arrives', () => {
    const framer = new UwsgiFramer(LIMITS);
    for (const b of [0, 0x01, 0x10]) expect(framer.push(Buffer.from([b])).kind).to.equal('need-more');
    const r = framer.push(Buffer.from([0, 1, 2, 3]));
    expect(r).to.include({ kind: 'error', code: 'E_PROTO_TOO_BIG', status: 431 });
    expect(r).to.not.have.property('rest');
  });

  it('answers HTTP as soon as 4 bytes arrive', () => {
    const framer = new UwsgiFramer({ bufferSize: 65535 });
    expect(framer.push(Buffer.from('GE')).kind).to.equal('need-more');
    expect(framer.push(Buffer.from('T ')).kind).to.equal('error');
  });

  it('ignores empty chunks', () => {
    const framer = new UwsgiFramer(LIMITS);
    expect(framer.push(Buffer.alloc(0)).kind).to.equal('need-more');
    expect(framer.bytesPending).to.equal(0);
    expect(framer.end()).to.equal(null);
  });

  it('refuses to push after a framed packet until reset, then frames the next one', () => {
    const framer = new UwsgiFramer(LIMITS);
    const r = framer.push(Buffer.concat([encodePing(), encodePing()]));
    if (r.kind !== 'ping') expect.fail(JSON.stringify(r));
    expect(() => framer.push(r.rest)).to.throw(/reset/);
    framer.reset();
    const second = framer.push(r.rest);
    expect(second.kind).to.equal('ping');
  });

  it('also refuses after an error', () => {
    const framer = new UwsgiFramer(LIMITS);
    expect(framer.push(Buffer.from([42, 0, 0, 0])).kind).to.equal('error');
    expect(() => framer.push(Buffer.from([0]))).to.throw(/reset/);
  });

  describe('end()', () => {
    it('is null when the peer closed before sending anything, or after a framed packet', () => {
      expect(new UwsgiFramer(LIMITS).end()).to.equal(null);
      const framer = new UwsgiFramer(LIMITS);
      framer.push(encodePing());
      expect(framer.end()).to.equal(null);
    });

    it('reports a truncated header with the byte count', () => {
      const framer = new UwsgiFramer(LIMITS);
      framer.push(Buffer.from([0, 5]));
      expect(framer.end()).to.deep.equal({
        kind: 'error', code: 'E_PROTO_TRUNCATED', message: 'connection closed after 2 of the 4 bytes of the uwsgi header',
      });
    });

    it('reports truncated vars with the byte counts, and resets', () => {
      const { bytes } = fixture('nginx-get');
      const framer = new UwsgiFramer(LIMITS);
      framer.push(bytes.subarray(0, 3));
      framer.push(bytes.subarray(3, 100));
      expect(framer.end()).to.deep.equal({
        kind: 'error', code: 'E_PROTO_TRUNCATED',
        message: 'connection closed after 100 of the 816 bytes of the uwsgi header and vars block',
      });
      expect(framer.bytesPending).to.equal(0);
      expect(framer.push(bytes).kind).to.equal('request');
    });
  });
});
