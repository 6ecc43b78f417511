/**
 * One look at the vassal files: which exist, what version each is (its signature), and
 * whether a root Emperor may start it, and as whom (tyrant.ts). The Emperor compares the
 * result with its table. A root Emperor reads each file's own entry (lstat: a symlink is
 * refused, never followed); an Emperor that is not root follows symlinks, so touching the
 * target of a linked vassal reloads it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expandPatterns } from './vassal-files';
import { factsOf, judgeVassalFile, vassalDirProblem } from './tyrant';
import type { Admission, FileSignature } from './vassal-table';

export interface SeenFile {
  readonly signature: FileSignature;
  readonly admission: Admission;
}

export interface Scan {
  readonly files: ReadonlyMap<string, SeenFile>;
  /** Directories to watch. */
  readonly dirs: readonly string[];
}

export interface ScanRules {
  readonly root: boolean;
  readonly tyrant: boolean;
}

export function scanVassals(patterns: readonly string[], rules: ScanRules): Scan {
  const found = expandPatterns(patterns);
  const files = new Map<string, SeenFile>();
  const dirProblems = new Map<string, string | undefined>();
  for (const file of found.files) {
    let st: fs.Stats;
    try {
      st = rules.root ? fs.lstatSync(file) : fs.statSync(file);
    } catch {
      continue; // gone since the directory was read, or a dangling link: not a vassal
    }
    if (!rules.root && !st.isFile()) continue;
    files.set(file, { signature: signatureOf(st), admission: admit(file, st, rules, dirProblems) });
  }
  return { files, dirs: found.dirs };
}

function admit(file: string, st: fs.Stats, rules: ScanRules, dirProblems: Map<string, string | undefined>): Admission {
  if (rules.root) {
    const dir = path.dirname(file);
    if (!dirProblems.has(dir)) dirProblems.set(dir, vassalDirProblem(dir, rules.tyrant));
    const problem = dirProblems.get(dir);
    if (problem !== undefined) return { ok: false, why: `is in an unsafe directory: ${problem}` };
  }
  return judgeVassalFile(factsOf(st), rules);
}

export function signatureOf(st: fs.Stats): FileSignature {
  return { mtimeMs: st.mtimeMs, ino: st.ino, size: st.size, uid: st.uid, gid: st.gid, mode: st.mode };
}

export function sameSignature(a: FileSignature, b: FileSignature): boolean {
  return a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.size === b.size && a.uid === b.uid && a.gid === b.gid && a.mode === b.mode;
}
