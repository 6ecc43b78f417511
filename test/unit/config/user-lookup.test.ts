import { expect } from 'chai';
import {
  parseGroup, parsePasswd, primaryGroupOf, resolveGroup, resolveOwner, resolveUser, MAX_ID, type Accounts,
} from '../../../src/config/user-lookup';

const PASSWD = [
  'root:x:0:0:root:/root:/bin/bash',
  '# a comment',
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin',
  'app:x:1000:1001::/home/app:/bin/sh',
  '+nisuser::::::',
  'broken-line',
  'bad-uid:x:abc:1::/:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  '',
].join('\n');
const GROUP = ['root:x:0:', 'www-data:x:33:', 'staff:x:50:app,www-data', '1234:x:77:', 'nogroup:x:65534:', 'short:x'].join('\n');
const accounts: Accounts = { users: parsePasswd(PASSWD), groups: parseGroup(GROUP) };

describe('config/user-lookup', () => {
  describe('the account files', () => {
    it('reads name, id and primary group; skips comments, NIS lines and malformed lines', () => {
      expect(accounts.users.map((u) => [u.name, u.id, u.primaryGid])).to.deep.equal([
        ['root', 0, 0], ['www-data', 33, 33], ['app', 1000, 1001], ['nobody', 65534, 65534],
      ]);
      expect(accounts.groups.map((g) => [g.name, g.id])).to.deep.equal([['root', 0], ['www-data', 33], ['staff', 50], ['1234', 77], ['nogroup', 65534]]);
    });
  });

  describe('uid = NAME|NUMBER', () => {
    it('resolves a name from /etc/passwd', () => {
      expect(resolveUser('www-data', accounts)).to.deep.equal({ value: 33 });
      expect(resolveUser('nobody', accounts)).to.deep.equal({ value: 65534 });
    });
    it('uses a number as is, listed or not (as uWSGI does)', () => {
      expect(resolveUser('33', accounts)).to.deep.equal({ value: 33 });
      expect(resolveUser('4242', accounts)).to.deep.equal({ value: 4242 });
      expect(resolveUser('0', accounts)).to.deep.equal({ value: 0 });
    });
    it('an unknown name is E_CONFIG_UNKNOWN_USER', () => {
      expect(resolveUser('nosuchuser', accounts)).to.deep.equal({ problem: 'no such user in /etc/passwd', code: 'E_CONFIG_UNKNOWN_USER' });
    });
    it('names are case-sensitive and not prefixes', () => {
      expect(resolveUser('Root', accounts)).to.have.property('code', 'E_CONFIG_UNKNOWN_USER');
      expect(resolveUser('www', accounts)).to.have.property('code', 'E_CONFIG_UNKNOWN_USER');
    });
    it('no value, a negative number and an id above int32 are bad values', () => {
      expect(resolveUser('', accounts)).to.deep.equal({ problem: 'expected a user name or number' });
      expect(resolveUser(String(MAX_ID + 1), accounts)).to.deep.equal({ problem: `a user id is at most ${MAX_ID}` });
      expect(resolveUser(String(MAX_ID), accounts)).to.deep.equal({ value: MAX_ID });
      expect(resolveUser('-1', accounts)).to.have.property('code', 'E_CONFIG_UNKNOWN_USER');
    });
  });

  describe('gid = NAME|NUMBER', () => {
    it('resolves a name from /etc/group, a number as is (even one that is also a group name)', () => {
      expect(resolveGroup('staff', accounts)).to.deep.equal({ value: 50 });
      expect(resolveGroup('nogroup', accounts)).to.deep.equal({ value: 65534 });
      expect(resolveGroup('1234', accounts)).to.deep.equal({ value: 1234 });
    });
    it('an unknown name is E_CONFIG_UNKNOWN_GROUP', () => {
      expect(resolveGroup('wheel', accounts)).to.deep.equal({ problem: 'no such group in /etc/group', code: 'E_CONFIG_UNKNOWN_GROUP' });
    });
  });

  describe('chown-socket = USER[:GROUP]', () => {
    it('USER:GROUP, by name or number', () => {
      expect(resolveOwner('www-data:staff', accounts)).to.deep.equal({ value: { uid: 33, gid: 50 } });
      expect(resolveOwner('1000:1000', accounts)).to.deep.equal({ value: { uid: 1000, gid: 1000 } });
    });
    it('USER alone leaves the group unchanged', () => {
      expect(resolveOwner('www-data', accounts)).to.deep.equal({ value: { uid: 33, gid: undefined } });
    });
    it('says which half is unknown', () => {
      expect(resolveOwner('nosuch:staff', accounts)).to.have.property('code', 'E_CONFIG_UNKNOWN_USER');
      expect(resolveOwner('www-data:nosuch', accounts)).to.have.property('code', 'E_CONFIG_UNKNOWN_GROUP');
    });
    it('an empty user or group is a bad value', () => {
      expect(resolveOwner(':staff', accounts)).to.deep.equal({ problem: 'expected USER or USER:GROUP' });
      expect(resolveOwner('', accounts)).to.deep.equal({ problem: 'expected USER or USER:GROUP' });
      expect(resolveOwner('www-data:', accounts)).to.deep.equal({ problem: 'expected a group name or number' });
    });
  });

  it("primaryGroupOf reads a uid's passwd entry", () => {
    expect(primaryGroupOf(1000, accounts)).to.equal(1001);
    expect(primaryGroupOf(4242, accounts)).to.equal(undefined);
  });
});
