import { expect } from 'chai';
import { isInside, mountIndex, skipped, underRoot } from '../../../../src/server/static/path-rules';

describe('server/static/path-rules', () => {
  describe('underRoot: the candidate file under a root', () => {
    it('joins the rest of the path to the root, whatever slashes it has', () => {
      expect(underRoot('/srv/pub', '/a.txt')).to.equal('/srv/pub/a.txt');
      expect(underRoot('/srv/pub', 'a.txt')).to.equal('/srv/pub/a.txt');
      expect(underRoot('/srv/pub/', '//css///app.css')).to.equal('/srv/pub/css/app.css');
      expect(underRoot('/srv/pub', '/./a/./b')).to.equal('/srv/pub/a/b');
    });
    it('is the root itself for an empty rest (a directory request: the index)', () => {
      expect(underRoot('/srv/pub', '')).to.equal('/srv/pub');
      expect(underRoot('/srv/pub', '/')).to.equal('/srv/pub');
      expect(underRoot('/', '/etc')).to.equal('/etc');
      expect(underRoot('/', '')).to.equal('/');
    });
    it('never resolves a .. segment, even one that would stay inside', () => {
      for (const rest of ['/../secret', '..', '/a/../../etc/passwd', '/a/..', '/css/../a.txt', '../']) {
        expect(underRoot('/srv/pub', rest), rest).to.equal(undefined);
      }
    });
    it('keeps names that only look like dots (they are plain files)', () => {
      expect(underRoot('/srv/pub', '/...')).to.equal('/srv/pub/...');
      expect(underRoot('/srv/pub', '/..a/b..')).to.equal('/srv/pub/..a/b..');
      expect(underRoot('/srv/pub', '/.hidden')).to.equal('/srv/pub/.hidden');
      // A decoded %2e%2e is '..' and refused above; an undecoded one is a literal name.
      expect(underRoot('/srv/pub', '/%2e%2e/x')).to.equal('/srv/pub/%2e%2e/x');
    });
  });

  describe('isInside: a resolved path within a directory', () => {
    it('holds for the directory and what is below it', () => {
      expect(isInside('/srv/pub', '/srv/pub')).to.equal(true);
      expect(isInside('/srv/pub/a/b.txt', '/srv/pub')).to.equal(true);
      expect(isInside('/anything', '/')).to.equal(true);
    });
    it('does not hold for a sibling that shares the prefix (uWSGI checks the prefix alone)', () => {
      expect(isInside('/srv/pub2/x', '/srv/pub')).to.equal(false);
      expect(isInside('/srv/pub-secret', '/srv/pub')).to.equal(false);
      expect(isInside('/srv', '/srv/pub')).to.equal(false);
      expect(isInside('/etc/passwd', '/srv/pub')).to.equal(false);
    });
  });

  describe('mountIndex: which mountpoint prefixes a path', () => {
    const prefixes = ['/static/', '/media', '/static/'];
    it('finds the first mount at or after `from`, as uWSGI walks its list', () => {
      expect(mountIndex('/static/a.css', prefixes)).to.equal(0);
      expect(mountIndex('/static/a.css', prefixes, 1)).to.equal(2);
      expect(mountIndex('/static/a.css', prefixes, 3)).to.equal(-1);
      expect(mountIndex('/', prefixes)).to.equal(-1);
      expect(mountIndex('/api/static/a', prefixes)).to.equal(-1);
    });
    it('is a plain prefix, as in uWSGI: /media also covers /mediafoo', () => {
      expect(mountIndex('/mediafoo', prefixes)).to.equal(1);
      expect(mountIndex('/static', prefixes)).to.equal(-1);
    });
  });

  it('skipped: static-skip-ext suffixes', () => {
    expect(skipped('/x/index.php', ['.php', '.py'])).to.equal(true);
    expect(skipped('/x/index.html', ['.php', '.py'])).to.equal(false);
    expect(skipped('/x/index.html', [])).to.equal(false);
  });
});
