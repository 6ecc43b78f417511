import { expect } from 'chai';
import { escapeControls, escapeJsonControls, escapeText, jsonString } from '../../../src/shared/text-escape';

/** nginx's `escape[]` bitmap from ngx_http_log_escape (escape=default): one bit per byte. */
const NGINX_ESCAPE = [0xffffffff, 0x00000004, 0x10000000, 0x80000000, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff];
const nginxEscapes = (b: number): boolean => (NGINX_ESCAPE[b >> 5] & (1 << (b & 0x1f))) !== 0;

describe('shared/text-escape', () => {
  it('escapeText escapes exactly the bytes nginx escape=default does, as \\xHH in upper case', () => {
    for (let b = 0; b < 256; b++) {
      const ch = String.fromCharCode(b);
      const expected = nginxEscapes(b) ? `\\x${b.toString(16).toUpperCase().padStart(2, '0')}` : ch;
      expect(escapeText(ch), `byte 0x${b.toString(16)}`).to.equal(expected);
    }
  });

  it('escapeText: a forged line, terminal controls, quotes and backslashes', () => {
    expect(escapeText('/a\nGET /x\x1b[31m\x9b2J"\\')).to.equal('/a\\x0AGET /x\\x1B[31m\\x9B2J\\x22\\x5C');
  });

  it('escapeText returns the very string when nothing needs escaping, and UTF-8 bytes above U+00FF', () => {
    const s = '/plain/path?q=1&r=2';
    expect(escapeText(s)).to.equal(s);
    expect(escapeText('€')).to.equal('\\xE2\\x82\\xAC');
    expect(escapeText('a😀b')).to.equal('a\\xF0\\x9F\\x98\\x80b');
  });

  it('escapeControls escapes C0, DEL and C1 only', () => {
    expect(escapeControls('a"b\\c')).to.equal('a"b\\c');
    expect(escapeControls('a\n\t\x1b\x7f\x9b\xa0é')).to.equal('a\\x0A\\x09\\x1B\\x7F\\x9B\xa0é');
  });

  it('escapeJsonControls writes DEL and C1 as \\u00XX: the JSON parses to the same value', () => {
    const value = { uri: '/a\x7fb\x9bc\x80\x9f é' };
    const json = escapeJsonControls(JSON.stringify(value));
    expect(json).to.not.match(/[\x7f-\x9f]/);
    expect(json).to.include('\\u007f').and.include('\\u009b');
    expect(JSON.parse(json)).to.deep.equal(value);
    const plain = JSON.stringify({ uri: '/x' });
    expect(escapeJsonControls(plain)).to.equal(plain);
  });
  it('jsonString is one string as JSON text with C0, DEL and C1 escaped, and parses back to it', () => {
    for (let c = 0; c < 0x100; c++) {
      const text = `a${String.fromCharCode(c)}"\\b`;
      const json = jsonString(text);
      expect(json, `char 0x${c.toString(16)}`).to.not.match(/[\x00-\x1f\x7f-\x9f]/);
      expect(JSON.parse(json)).to.equal(text);
    }
    expect(jsonString('/plain?x=1')).to.equal('"/plain?x=1"');
  });
  it('jsonString writes what JSON.stringify and escapeJsonControls write, for every UTF-16 unit alone, inside text and at its end', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const text of [ch, `/path?q=${ch}`, `${ch}abc`]) {
        expect(jsonString(text), `unit 0x${c.toString(16)} in ${JSON.stringify(text)}`).to.equal(escapeJsonControls(JSON.stringify(text)));
      }
    }
    for (const text of ['', 'GET', '127.0.0.1', '\ud83d\ude00', 'x\ud83d', '\ude00x', 'a'.repeat(70000), `${'b'.repeat(5000)}\u009b`]) {
      expect(jsonString(text)).to.equal(escapeJsonControls(JSON.stringify(text)));
    }
  });
});
