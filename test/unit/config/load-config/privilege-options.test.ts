/** uid, gid and chown-socket through the whole config pipeline, against this host's /etc files. */
import { expect } from 'chai';
import { loadConfig } from '../../../../src/config/load-config';
import { errorOf, MINIMAL, tempDirs } from '../temp-ini';
import { whyNoNobody } from '../../../support/nobody-install';
import { skipUnless } from '../../../support/skip';

describe('config: uid, gid, chown-socket', () => {
  const temp = tempDirs();
  after(() => temp.cleanup());
  before(function () {
    // Debian's nobody:nogroup; root:root exists everywhere.
    skipUnless(this, whyNoNobody());
  });

  function load(body: string) {
    const dir = temp.make({ 'uwsgi.ini': `[uwsgi]\n${MINIMAL}${body}` });
    return loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {} }).config;
  }
  const fail = (body: string) => errorOf(() => load(body));

  it('are unset by default', () => {
    const c = load('');
    expect([c.uid, c.gid, c.chownSocket]).to.deep.equal([undefined, undefined, undefined]);
  });

  it('uid and gid by name', () => {
    const c = load('uid = nobody\ngid = nogroup\n');
    expect([c.uid, c.gid]).to.deep.equal([65534, 65534]);
  });

  it("gid defaults to the uid's primary group (a decision: uWSGI would keep root's group)", () => {
    expect(load('uid = nobody\n').gid).to.equal(65534);
    expect(load('uid = 65534\n').gid).to.equal(65534);
    expect(load('uid = nobody\ngid = 0\n').gid).to.equal(0);
  });

  it('gid alone changes only the group', () => {
    const c = load('gid = nogroup\n');
    expect([c.uid, c.gid]).to.deep.equal([undefined, 65534]);
  });

  it('a numeric uid not in /etc/passwd needs an explicit gid', () => {
    expect(fail('uid = 3999999\n')).to.deep.equal({
      code: 'E_CONFIG_UNKNOWN_USER',
      message: 'uwsgi.ini: uid = 3999999: not in /etc/passwd, so its primary group is unknown; set gid as well',
    });
    const c = load('uid = 3999999\ngid = 3999999\n');
    expect([c.uid, c.gid]).to.deep.equal([3999999, 3999999]);
  });

  it('an unknown name is one line naming the option and the value', () => {
    expect(fail('uid = no-such-user-here\n')).to.deep.equal({
      code: 'E_CONFIG_UNKNOWN_USER',
      message: 'uwsgi.ini: uid = "no-such-user-here": no such user in /etc/passwd',
    });
    expect(fail('uid = nobody\ngid = no-such-group\n')).to.deep.equal({
      code: 'E_CONFIG_UNKNOWN_GROUP',
      message: 'uwsgi.ini: gid = "no-such-group": no such group in /etc/group',
    });
    expect(fail('chown-socket = nobody:no-such-group\n')).to.deep.equal({
      code: 'E_CONFIG_UNKNOWN_GROUP',
      message: 'uwsgi.ini: chown-socket = "nobody:no-such-group": no such group in /etc/group',
    });
  });

  it('no value is a bad value', () => {
    expect(fail('uid =\n').code).to.equal('E_CONFIG_BAD_VALUE');
    expect(fail('chown-socket =\n').code).to.equal('E_CONFIG_BAD_VALUE');
  });

  it('chown-socket = USER[:GROUP]', () => {
    expect(load('chown-socket = nobody:nogroup\n').chownSocket).to.deep.equal({ uid: 65534, gid: 65534 });
    expect(load('chown-socket = nobody\n').chownSocket).to.deep.equal({ uid: 65534, gid: undefined });
    expect(load('chown-socket = 0:65534\n').chownSocket).to.deep.equal({ uid: 0, gid: 65534 });
  });

  it('the command line names the flag', () => {
    const dir = temp.make({ 'uwsgi.ini': `[uwsgi]\n${MINIMAL}` });
    const err = errorOf(() => loadConfig({ ini: 'uwsgi.ini', cwd: dir, env: {}, cli: [{ key: 'uid', value: 'nobodyy' }] }));
    expect(err).to.deep.equal({ code: 'E_CONFIG_UNKNOWN_USER', message: 'command line: --uid "nobodyy": no such user in /etc/passwd' });
  });
});
