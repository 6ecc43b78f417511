import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { encodePacket, parsePacket, type RequestPacket, type UwsgiVars } from '../../../src/protocol/index.js';
import { knownKeyStats } from '../../../src/protocol/known-keys.js';
import { MAX_COMPILES, MAX_SHAPES, varsShapes } from '../../../src/protocol/vars-shapes.js';
import { LIMITS, fixture, inheritsNothing, prng } from './helpers.js';

function parse(buf: Buffer): RequestPacket {
  const result = parsePacket(buf, LIMITS);
  if (result.kind !== 'request') expect.fail(`expected a request, got ${JSON.stringify(result)}`);
  return result;
}

/** Own keys and values in order: what an app sees when it walks the vars. */
function entries(vars: UwsgiVars): [string, string][] {
  return Object.keys(vars).map((k) => [k, vars[k]!]);
}

/** Debian's uwsgi_params as nginx sends them for a plain GET, then the Host header. */
const NGINX_GET: Record<string, string> = {
  QUERY_STRING: 'a=1', REQUEST_METHOD: 'GET', CONTENT_TYPE: '', CONTENT_LENGTH: '', REQUEST_URI: '/x?a=1',
  PATH_INFO: '/x', DOCUMENT_ROOT: '/usr/share/nginx/html', SERVER_PROTOCOL: 'HTTP/1.1', REQUEST_SCHEME: 'http',
  HTTPS: '', REMOTE_ADDR: '127.0.0.1', REMOTE_PORT: '40000', SERVER_PORT: '80', SERVER_NAME: 'example',
  HTTP_HOST: 'example',
};

describe('protocol/vars-shapes: vars of a repeated key sequence', () => {
  beforeEach(() => varsShapes.reset());
  after(() => varsShapes.reset());

  it('compiles a shape the second time a sequence of known keys comes, and its vars are the generic ones', () => {
    const packet = encodePacket(NGINX_GET);
    const first = parse(packet);
    expect(varsShapes.count()).to.equal(0);
    const second = parse(packet);
    expect(varsShapes.count()).to.equal(1);
    const third = parse(packet);
    expect(varsShapes.count()).to.equal(1);
    const expected = Object.entries(NGINX_GET);
    for (const r of [first, second, third]) {
      expect(entries(r.vars)).to.deep.equal(expected);
      expect(inheritsNothing(r.vars)).to.equal(true);
      expect(r.varCount).to.equal(expected.length);
    }
    expect(second.vars).to.not.equal(third.vars);
  });

  it('gives each packet its own values through a shape', () => {
    const packet = (uri: string): Buffer => encodePacket({ ...NGINX_GET, REQUEST_URI: uri, PATH_INFO: uri });
    parse(packet('/a'));
    parse(packet('/b'));
    expect(varsShapes.count()).to.equal(1);
    const c = parse(packet('/c'));
    expect(c.vars.REQUEST_URI).to.equal('/c');
    expect(c.vars.PATH_INFO).to.equal('/c');
    c.vars.REQUEST_URI = 'changed';
    expect(parse(packet('/d')).vars.REQUEST_URI).to.equal('/d');
  });

  it('compiles nothing for a sequence with a key it does not list, and parses it the same', () => {
    const vars = { ...NGINX_GET, HTTP_X_CUSTOM: 'v', constructor: 'c', __proto__x: 'p' };
    for (let i = 0; i < 4; i++) expect(entries(parse(encodePacket(vars)).vars)).to.deep.equal(Object.entries(vars));
    expect(varsShapes.count()).to.equal(0);
  });

  it('compiles nothing for a sequence with a repeated key, which stays joined', () => {
    for (let i = 0; i < 4; i++) {
      const r = parse(fixture('nginx-get').bytes);
      expect(r.vars.HTTP_COOKIE).to.contain('; ');
    }
    expect(varsShapes.count()).to.equal(0);
  });

  it('keeps at most MAX_SHAPES shapes, the newest replacing in turn, every parse still right', () => {
    const rng = prng(14);
    const keys = knownKeyStats.keys;
    for (let round = 0; round < MAX_SHAPES * 3; round++) {
      const vars: Record<string, string> = {};
      const count = 1 + rng.int(20);
      for (let i = 0; i < count; i++) vars[rng.pick(keys)] = `v${round}-${i}`;
      const packet = encodePacket(vars);
      for (let i = 0; i < 3; i++) expect(entries(parse(packet).vars)).to.deep.equal(Object.entries(vars));
      expect(varsShapes.count()).to.be.at.most(MAX_SHAPES);
    }
    expect(varsShapes.count()).to.equal(MAX_SHAPES);
  });

  it('compiles at most MAX_COMPILES times in a thread, however many orders come twice in a row', () => {
    const rng = prng(27);
    const keys = knownKeyStats.keys;
    for (let round = 0; round < MAX_COMPILES + 40; round++) {
      const vars: Record<string, string> = {};
      for (let i = 0; i < 12; i++) vars[rng.pick(keys)] = String(i);
      const packet = encodePacket(vars);
      for (let i = 0; i < 2; i++) expect(entries(parse(packet).vars)).to.deep.equal(Object.entries(vars));
    }
    expect(varsShapes.compilesLeft()).to.equal(0);
    // What was compiled last is still used; a new order is parsed the generic way, the same.
    const last = { QUERY_STRING: 'q', REQUEST_METHOD: 'GET', REQUEST_URI: '/last' };
    for (let i = 0; i < 3; i++) expect(entries(parse(encodePacket(last)).vars)).to.deep.equal(Object.entries(last));
    expect(varsShapes.count()).to.equal(MAX_SHAPES);
  });

  it('matches a shape only on the same keys in the same order and number', () => {
    const { HTTP_HOST: host, ...withoutHost } = NGINX_GET;
    const reordered = { HTTP_HOST: host!, ...withoutHost };
    for (const vars of [NGINX_GET, withoutHost, reordered, NGINX_GET]) {
      for (let i = 0; i < 3; i++) expect(entries(parse(encodePacket(vars)).vars)).to.deep.equal(Object.entries(vars));
    }
    expect(varsShapes.count()).to.equal(3);
  });

  it('parses the same without code generation from strings (--disallow-code-generation-from-strings)', () => {
    const script = `
      const { parsePacket, encodePacket } = require(${JSON.stringify(join(__dirname, '../../../dist/protocol/index.js'))});
      const { varsShapes } = require(${JSON.stringify(join(__dirname, '../../../dist/protocol/vars-shapes.js'))});
      const packet = encodePacket(${JSON.stringify(NGINX_GET)});
      const out = [];
      for (let i = 0; i < 3; i++) out.push(Object.entries(parsePacket(packet, { bufferSize: 4096 }).vars));
      process.stdout.write(JSON.stringify({ out, shapes: varsShapes.count() }));`;
    const child = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(child.status, child.stderr).to.equal(0);
    const { out, shapes } = JSON.parse(child.stdout) as { out: [string, string][][]; shapes: number };
    expect(shapes).to.equal(0);
    for (const got of out) expect(got).to.deep.equal(Object.entries(NGINX_GET));
  });
});
