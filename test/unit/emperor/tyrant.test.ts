import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { judgeVassalFile, replaceableByOthers, vassalDirProblem, writableByOthers, type FileFacts } from '../../../src/emperor/tyrant';

const file = (over: Partial<FileFacts> = {}): FileFacts => ({ isSymlink: false, isFile: true, uid: 0, gid: 0, mode: 0o100644, nlink: 1, ...over });
const tyrant = { root: true, tyrant: true };
const rootOnly = { root: true, tyrant: false };

describe('emperor/tyrant (what a root Emperor starts, and as whom)', () => {
  it('emperor-tyrant: a user\'s file runs as its owner and group; root\'s as root (its own uid/gid then apply)', () => {
    expect(judgeVassalFile(file({ uid: 1000, gid: 1001 }), tyrant)).to.deep.equal({ ok: true, runAs: { uid: 1000, gid: 1001 } });
    expect(judgeVassalFile(file({ uid: 0, gid: 0 }), tyrant)).to.deep.equal({ ok: true, runAs: undefined });
  });

  it('refuses symlinks, other kinds of file, hard links and group/world-writable files, tyrant or not', () => {
    for (const opts of [tyrant, rootOnly]) {
      const why = (f: FileFacts): string => {
        const v = judgeVassalFile(f, opts);
        if (v.ok) throw new Error(`accepted ${JSON.stringify(f)}`);
        return v.why;
      };
      expect(why(file({ isSymlink: true, isFile: false }))).to.match(/symlink/);
      expect(why(file({ isFile: false }))).to.match(/not a regular file/);
      expect(why(file({ nlink: 2 }))).to.match(/2 hard links/);
      expect(why(file({ mode: 0o100666 }))).to.match(/group- or world-writable \(mode 666\)/);
      expect(why(file({ mode: 0o100664 }))).to.match(/mode 664/);
      expect(why(file({ mode: 0o100646, uid: 1000, gid: 1000 }))).to.match(/mode 646/);
    }
  });

  it('without tyrant a root Emperor starts root\'s files only; with it, never a user\'s file with group root', () => {
    const v = judgeVassalFile(file({ uid: 1000, gid: 1000 }), rootOnly);
    expect(v.ok).to.equal(false);
    expect(!v.ok && v.why).to.match(/owned by uid 1000, not root.*emperor-tyrant/);
    const g = judgeVassalFile(file({ uid: 1000, gid: 0 }), tyrant);
    expect(!g.ok && g.why).to.match(/group root/);
  });

  it('an Emperor that is not root checks nothing: every vassal runs as itself', () => {
    expect(judgeVassalFile(file({ isSymlink: true, mode: 0o100666, uid: 1000 }), { root: false, tyrant: false })).to.deep.equal({ ok: true, runAs: undefined });
  });

  it('who other than root can write or replace an entry (sticky directories keep others\' entries)', () => {
    expect(writableByOthers({ uid: 0, gid: 0, mode: 0o40755 })).to.equal(false);
    expect(writableByOthers({ uid: 0, gid: 0, mode: 0o40775 })).to.equal(false);
    expect(writableByOthers({ uid: 0, gid: 50, mode: 0o40775 })).to.equal(true);
    expect(writableByOthers({ uid: 1000, gid: 0, mode: 0o40700 })).to.equal(true);
    expect(writableByOthers({ uid: 0, gid: 0, mode: 0o40757 })).to.equal(true);
    const tmp = { uid: 0, gid: 0, mode: 0o41777 };
    expect(replaceableByOthers(tmp, { uid: 0, gid: 0, mode: 0o40700 })).to.equal(false);
    expect(replaceableByOthers(tmp, { uid: 1000, gid: 0, mode: 0o40700 })).to.equal(true);
    expect(replaceableByOthers(tmp, undefined)).to.equal(true);
    expect(replaceableByOthers({ uid: 0, gid: 0, mode: 0o40777 }, { uid: 0, gid: 0, mode: 0o40700 })).to.equal(true);
    expect(replaceableByOthers({ uid: 0, gid: 0, mode: 0o40755 }, { uid: 1000, gid: 0, mode: 0o40777 })).to.equal(false);
  });

  describe('vassalDirProblem (real directories)', function () {
    if (process.getuid?.() !== 0) return;
    const made: string[] = [];
    after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    const mk = (): string => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tsuwsgi-tyrant-'));
      made.push(d);
      return d;
    };

    it('root\'s directory under /tmp is safe; a world-writable one only for tyrant; one under a user\'s directory never', () => {
      const dir = mk();
      expect(vassalDirProblem(dir, false)).to.equal(undefined);
      fs.chmodSync(dir, 0o777);
      expect(vassalDirProblem(dir, false)).to.match(/writable by a user other than root/);
      expect(vassalDirProblem(dir, true)).to.equal(undefined);
      const user = mk();
      fs.chownSync(user, 65534, 65534);
      fs.mkdirSync(path.join(user, 'vassals'));
      expect(vassalDirProblem(path.join(user, 'vassals'), true)).to.match(new RegExp(`${user} can be replaced`));
      expect(vassalDirProblem(path.join(dir, 'missing'), true)).to.match(/does not exist/);
    });
  });
});
