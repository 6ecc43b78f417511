import { expect } from 'chai';
import { canReplaceEntry, writableBy } from '../../../src/master/unsafe-dirs';
import { exitCodeFor } from '../../../src/cli/exit-code-for';
import { ExitCode } from '../../../src/shared/exit-codes';

const APP = { uid: 1000, gid: 1000 };
const dir = (uid: number, gid: number, mode: number) => ({ uid, gid, mode });

describe('master/unsafe-dirs: what the workers\' user can change', () => {
  describe('writableBy', () => {
    it('owned by the uid: writable whatever the mode (the owner can chmod it)', () => {
      expect(writableBy(dir(1000, 0, 0o555), APP)).to.equal(true);
    });
    it('group-writable with the gid; not with another gid', () => {
      expect(writableBy(dir(0, 1000, 0o775), APP)).to.equal(true);
      expect(writableBy(dir(0, 1000, 0o755), APP)).to.equal(false);
      expect(writableBy(dir(0, 4, 0o775), APP)).to.equal(false);
    });
    it('world-writable, sticky or not', () => {
      expect(writableBy(dir(0, 0, 0o777), APP)).to.equal(true);
      expect(writableBy(dir(0, 0, 0o1777), APP)).to.equal(true);
    });
    it("root's 0755 is not", () => {
      expect(writableBy(dir(0, 0, 0o755), APP)).to.equal(false);
      expect(writableBy(dir(0, 0, 0o775), { uid: 1000, gid: undefined })).to.equal(false);
    });
  });

  describe('canReplaceEntry', () => {
    it('any entry, or a missing one, in a writable directory without the sticky bit', () => {
      expect(canReplaceEntry(dir(0, 1000, 0o775), dir(0, 0, 0o755), APP)).to.equal(true);
      expect(canReplaceEntry(dir(0, 1000, 0o775), undefined, APP)).to.equal(true);
    });
    it('in a sticky directory (/tmp): only its own entries or a missing one', () => {
      const tmp = dir(0, 0, 0o1777);
      expect(canReplaceEntry(tmp, dir(0, 0, 0o700), APP), "root's entry in /tmp").to.equal(false);
      expect(canReplaceEntry(tmp, dir(1000, 1000, 0o700), APP)).to.equal(true);
      expect(canReplaceEntry(tmp, undefined, APP)).to.equal(true);
    });
    it('everything in a sticky directory the user owns', () => {
      expect(canReplaceEntry(dir(1000, 1000, 0o1755), dir(0, 0, 0o755), APP)).to.equal(true);
    });
    it('nothing in a directory it cannot write', () => {
      expect(canReplaceEntry(dir(0, 0, 0o755), undefined, APP)).to.equal(false);
    });
  });

  it('E_UNSAFE_DIR is a boot error (exit 3); a FIFO another master reads is exit 5 like a live socket', () => {
    expect(exitCodeFor('E_UNSAFE_DIR')).to.equal(ExitCode.BootError);
    expect(exitCodeFor('E_FIFO_IN_USE')).to.equal(ExitCode.SocketError);
  });
});
