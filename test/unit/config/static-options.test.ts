import { expect } from 'chai';
import { loadConfig } from '../../../src/config/load-config';
import { findOption } from '../../../src/config/options';
import { uwsgiOnlyOptions } from '../../../src/config/uwsgi-only-options';
import { parseExpires, parseExpiresType, parseMount } from '../../../src/config/static-values';
import { tempDirs } from './temp-ini';

describe('config: static-file options', () => {
  const dirs = tempDirs();
  after(() => dirs.cleanup());
  it('parses MOUNT=DIR, a relative DIR against the base directory', () => {
    expect(parseMount('/static=pub', { baseDir: '/srv/app' })).to.deep.equal({ value: { mount: '/static', dir: '/srv/app/pub' } });
    expect(parseMount('/f.ico=/srv/f.ico', { baseDir: '/x' })).to.deep.equal({ value: { mount: '/f.ico', dir: '/srv/f.ico' } });
    for (const bad of ['/static', '=/srv', '/static=', 'static=/srv']) expect(parseMount(bad, { baseDir: '/' }), bad).to.have.property('problem');
  });
  it('parses REGEXP SECONDS and TYPE=SECONDS, refusing a broken regexp', () => {
    expect(parseExpires('\\.(css|js)$ 86400')).to.deep.equal({ value: { pattern: '\\.(css|js)$', seconds: 86400 } });
    expect(parseExpires('a b 10')).to.deep.equal({ value: { pattern: 'a b', seconds: 10 } });
    for (const bad of ['\\.css$', '\\.css$ soon', '( 10', ' 10']) expect(parseExpires(bad), bad).to.have.property('problem');
    expect(parseExpiresType('Text/CSS=60')).to.deep.equal({ value: { pattern: 'text/css', seconds: 60 } });
    expect(parseExpiresType('text/css')).to.have.property('problem');
  });
  it('the implemented options left the uWSGI-only list; check-static is an alias', () => {
    for (const name of ['static-map', 'static-map2', 'static-check', 'check-static', 'static-index', 'static-safe', 'static-skip-ext',
      'static-expires', 'static-expires-uri', 'static-expires-uri-mtime', 'static-expires-type', 'offload-threads']) {
      expect(findOption(name), name).to.not.equal(undefined);
      expect(uwsgiOnlyOptions.has(name), name).to.equal(false);
    }
    expect(findOption('check-static')?.name).to.equal('static-check');
  });
  it('a uwsgi.ini with repeated static-map lines loads them in order', () => {
    const dir = dirs.make({
      'uwsgi.ini': [
        '[uwsgi]', 'socket = :9000', 'wsgi-file = app.js',
        'static-map = /static=pub', 'static-map = /media=/srv/media', 'static-index = index.html',
        'static-expires-uri = \\.css$ 3600', 'check-static = www',
      ].join('\n'),
    });
    const { config } = loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {} });
    expect(config.staticMap).to.deep.equal([{ mount: '/static', dir: `${dir}/pub` }, { mount: '/media', dir: '/srv/media' }]);
    expect(config.staticIndex).to.deep.equal(['index.html']);
    expect(config.staticExpiresUri).to.deep.equal([{ pattern: '\\.css$', seconds: 3600 }]);
    expect(config.staticCheck).to.deep.equal([`${dir}/www`]);
    expect(config.offloadThreads).to.equal(0);
  });
  it('a bad static-map stops the start naming the line', () => {
    const dir = dirs.make({ 'uwsgi.ini': '[uwsgi]\nsocket = :9000\nwsgi-file = app.js\nstatic-map = /static\n' });
    expect(() => loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {} })).to.throw(/uwsgi.ini: static-map = "\/static": expected MOUNTPOINT=DIR/);
  });
});
