import { expect } from 'chai';
import { checkCanSwitch, workerCredentials } from '../../../src/master/credentials';
import { exitCodeFor } from '../../../src/cli/exit-code-for';
import { ExitCode } from '../../../src/shared/exit-codes';

const ROOT = { uid: 0, gid: 0 };
const USER = { uid: 1000, gid: 1000 };

describe('master/credentials', () => {
  describe('workerCredentials: what fork gets', () => {
    it('a root master passes what is configured, and nothing when nothing is', () => {
      expect(workerCredentials({ uid: 65534, gid: 65534 }, ROOT)).to.deep.equal({ uid: 65534, gid: 65534 });
      expect(workerCredentials({ uid: undefined, gid: 65534 }, ROOT)).to.deep.equal({ gid: 65534 });
      expect(workerCredentials({ uid: undefined, gid: undefined }, ROOT)).to.deep.equal({});
    });
    it('any other master passes nothing (its own ids, checked before)', () => {
      expect(workerCredentials({ uid: 1000, gid: 1000 }, USER)).to.deep.equal({});
    });
  });

  describe('checkCanSwitch', () => {
    it('root may switch to anyone', () => {
      expect(() => checkCanSwitch({ uid: 65534, gid: 65534 }, ROOT)).to.not.throw();
    });
    it('anyone may "switch" to their own ids, or set nothing', () => {
      expect(() => checkCanSwitch({ uid: 1000, gid: 1000 }, USER)).to.not.throw();
      expect(() => checkCanSwitch({ uid: undefined, gid: undefined }, USER)).to.not.throw();
    });
    it('a non-root master asked for other ids fails with E_PRIVILEGES naming them (exit BootError)', () => {
      let caught: { code?: string; message: string } | undefined;
      try {
        checkCanSwitch({ uid: 65534, gid: 1000 }, USER);
      } catch (err) {
        caught = err as { code?: string; message: string };
      }
      expect(caught?.code).to.equal('E_PRIVILEGES');
      expect(caught?.message).to.match(/^uid 65534 asked, but tsuwsgi runs as uid 1000 gid 1000, not root: /);
      expect(caught?.message).to.not.contain('\n');
      expect(exitCodeFor('E_PRIVILEGES')).to.equal(ExitCode.BootError);
    });
    it('names both ids when both differ', () => {
      expect(() => checkCanSwitch({ uid: 0, gid: 0 }, USER)).to.throw(/^uid 0 and gid 0 asked/);
    });
  });
});
