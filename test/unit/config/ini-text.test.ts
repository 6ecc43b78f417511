import { expect } from 'chai';
import ini from 'ini';
import { prepareIniText } from '../../../src/config/ini-text';

/** What the `ini` package reads from the prepared text, section [s]. */
function read(body: string): Record<string, unknown> {
  const parsed = ini.parse(prepareIniText(`[s]\n${body}`), { bracketedArray: false }) as Record<string, Record<string, unknown>>;
  return { ...parsed.s };
}

describe('config/ini-text', () => {
  it('the ini package alone cuts a value at any # or ; (why this module exists)', () => {
    const raw = ini.parse('[s]\nurl = http://x/#frag\n', { bracketedArray: false }) as Record<string, Record<string, string>>;
    expect(raw.s.url).to.equal('http://x/');
  });
  it('the ini package keeps repeated keys as a list with bracketedArray: false', () => {
    const raw = ini.parse('[s]\nenv = A=1\nenv = B=2\n', { bracketedArray: false }) as Record<string, Record<string, unknown>>;
    expect(raw.s.env).to.deep.equal(['A=1', 'B=2']);
  });
  it('strips # and ; comments that follow whitespace', () => {
    expect(read('socket = :8080   # comment\nprocesses = 4 ; comment\nthreads = 2\t# tab\n')).to.deep.equal({
      socket: ':8080',
      processes: '4',
      threads: '2',
    });
  });
  it('keeps # and ; inside a value (URL fragments, lists)', () => {
    expect(read('a = http://x/#frag\nb = x;y\nc = http://x/#frag  # comment\n')).to.deep.equal({
      a: 'http://x/#frag',
      b: 'x;y',
      c: 'http://x/#frag',
    });
  });
  it('keeps backslashes as written', () => {
    expect(read('a = C:\\dir\\x\nb = a\\;b\n')).to.deep.equal({ a: 'C:\\dir\\x', b: 'a\\;b' });
  });
  it('a quoted value may hold " # "; a comment may follow it', () => {
    expect(read('a = "x # y"   # comment\nb = \'p ; q\'\n')).to.deep.equal({ a: 'x # y', b: 'p ; q' });
  });
  it('a value that only starts with a quote is not protected', () => {
    expect(read('a = "x" y # c\n')).to.deep.equal({ a: '"x" y' });
  });
  it('full-line comments, including indented ones, are skipped', () => {
    expect(read('# a\n; b\n   # c\n\t; d\nk = v\n')).to.deep.equal({ k: 'v' });
  });
  it('a value that is only a comment is empty', () => {
    expect(read('vacuum =   # yes please\n')).to.deep.equal({ vacuum: '' });
  });
  it('a bare key reads as a key without a value', () => {
    expect(read('vacuum\nmaster   # c\n')).to.deep.equal({ vacuum: '', master: '' });
  });
  it('the value keeps every = after the first', () => {
    expect(read('env = A=b=c\n')).to.deep.equal({ env: 'A=b=c' });
  });
  it('handles CRLF line ends and a byte-order mark', () => {
    const parsed = ini.parse(prepareIniText('\uFEFF[s]\r\nk = v   # c\r\nl = w\r\n'), { bracketedArray: false }) as Record<string, unknown>;
    expect({ ...(parsed.s as object) }).to.deep.equal({ k: 'v', l: 'w' });
  });
  it('section headers may carry a comment, and dots in their names are kept', () => {
    const parsed = ini.parse(prepareIniText('[app.prod]   # production\nk = v\n'), { bracketedArray: false }) as Record<string, unknown>;
    expect({ ...(parsed['app.prod'] as object) }).to.deep.equal({ k: 'v' });
  });
  it('the seed comment with a full-width question mark is stripped', () => {
    expect(read('die-on-term = true         # ？\n')).to.deep.equal({ 'die-on-term': true });
  });
});
