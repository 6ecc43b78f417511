import { expect } from 'chai';
import { parseAddress } from '../../../src/config/address';

const ok = (text: string, base = '/base') => {
  const parsed = parseAddress(text, base);
  if ('problem' in parsed) throw new Error(`unexpected problem for ${text}: ${parsed.problem}`);
  return parsed.value;
};
const bad = (text: string) => {
  const parsed = parseAddress(text, '/base');
  if (!('problem' in parsed)) throw new Error(`expected a problem for ${text}`);
  return parsed.problem;
};

describe('config/address', () => {
  it(':8080 is every interface (host undefined)', () => {
    expect(ok(':8080')).to.deep.equal({ kind: 'tcp', host: undefined, port: 8080, text: ':8080' });
  });
  it('IPv4 host and port', () => {
    expect(ok('127.0.0.1:9000')).to.deep.equal({ kind: 'tcp', host: '127.0.0.1', port: 9000, text: '127.0.0.1:9000' });
    expect(ok('0.0.0.0:80')).to.include({ host: '0.0.0.0', port: 80 });
  });
  it('bracketed IPv6', () => {
    expect(ok('[::1]:9000')).to.deep.equal({ kind: 'tcp', host: '::1', port: 9000, text: '[::1]:9000' });
    expect(ok('[::]:80')).to.include({ host: '::', port: 80 });
    expect(ok('[fe80::1]:1')).to.include({ host: 'fe80::1' });
  });
  it('host names', () => {
    expect(ok('localhost:9000')).to.include({ kind: 'tcp', host: 'localhost', port: 9000 });
    expect(ok('app.example.com:80')).to.include({ host: 'app.example.com' });
    expect(ok('my_service:80')).to.include({ host: 'my_service' });
  });
  it('port limits: 0 and 65535 accepted, 65536 rejected', () => {
    expect(ok(':0')).to.include({ port: 0 });
    expect(ok(':65535')).to.include({ port: 65535 });
    expect(bad(':65536')).to.equal('port must be 0..65535');
    expect(bad('127.0.0.1:99999')).to.equal('port must be 0..65535');
    expect(bad('[::1]:70000')).to.equal('port must be 0..65535');
  });
  it('unix socket paths: absolute, relative (resolved against the base), no colon', () => {
    expect(ok('/run/app.sock')).to.deep.equal({ kind: 'unix', path: '/run/app.sock', text: '/run/app.sock' });
    expect(ok('run/app.sock')).to.deep.equal({ kind: 'unix', path: '/base/run/app.sock', text: 'run/app.sock' });
    expect(ok('app.sock')).to.deep.equal({ kind: 'unix', path: '/base/app.sock', text: 'app.sock' });
    expect(ok('./a:b.sock')).to.include({ kind: 'unix', path: '/base/a:b.sock' });
    expect(ok('8080')).to.include({ kind: 'unix', path: '/base/8080' });
  });
  it('an @abstract name is not resolved as a file', () => {
    expect(ok('@tsuwsgi')).to.deep.equal({ kind: 'unix', path: '@tsuwsgi', text: '@tsuwsgi' });
  });
  it('malformed addresses are rejected with a hint', () => {
    expect(bad('')).to.contain('expected an address');
    expect(bad('127.0.0.1:')).to.contain('malformed address');
    expect(bad('host:http')).to.contain('expected HOST:PORT');
    expect(bad('::1:9000')).to.contain('IPv6 addresses need brackets');
    expect(bad('[::1]')).to.contain('malformed IPv6');
    expect(bad('[::1:9000')).to.contain('malformed IPv6');
    expect(bad('[nonsense]:80')).to.contain('malformed IPv6');
    expect(bad('bad host:80')).to.equal('malformed host "bad host"');
    expect(bad('*:80')).to.equal('malformed host "*"');
  });
  it('returns frozen addresses', () => {
    expect(Object.isFrozen(ok(':1'))).to.equal(true);
    expect(Object.isFrozen(ok('/x.sock'))).to.equal(true);
  });
});
