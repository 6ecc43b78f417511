/**
 * Which files are vassals: each `emperor` value is a directory (its *.ini files) or a glob,
 * with wildcards (`*`, `?`, `[abc]`, `[!abc]`) in any path component. As in a shell, a
 * wildcard never matches a leading dot, so editors' and deploy tools' hidden temp files are
 * not vassals. Also returns every directory read, for the watcher.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface Expansion {
  /** Absolute paths of the candidate vassal files, sorted, without duplicates. */
  readonly files: readonly string[];
  /** Directories read on the way (to watch for new files and new matching directories). */
  readonly dirs: readonly string[];
}

const WILDCARD = /[*?[]/;

/** A directory stands for its *.ini; a path ending in .ini without wildcards is one file. */
export function globOf(pattern: string): string {
  if (WILDCARD.test(pattern) || pattern.endsWith('.ini')) return pattern;
  return path.join(pattern, '*.ini');
}

export function expandPatterns(patterns: readonly string[]): Expansion {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const pattern of patterns) {
    for (const f of expandOne(globOf(pattern), dirs)) files.add(f);
  }
  return { files: [...files].sort(), dirs: [...dirs].sort() };
}

function expandOne(glob: string, dirs: Set<string>): string[] {
  const parts = glob.split('/').filter(Boolean);
  const firstWild = parts.findIndex((p) => WILDCARD.test(p));
  // Watched: every directory read from the first wildcard on (a new subdirectory that matches
  // is seen at once), or the file's directory for a glob without wildcards.
  const watchFrom = firstWild === -1 ? parts.length - 1 : firstWild;
  let current = ['/'];
  for (let i = 0; i < parts.length; i++) {
    const last = i === parts.length - 1;
    const part = parts[i];
    if (i >= watchFrom) for (const dir of current) dirs.add(dir);
    const next: string[] = [];
    for (const dir of current) {
      if (!WILDCARD.test(part)) {
        const p = path.join(dir, part);
        if (last ? exists(p) : isDir(p)) next.push(p);
        continue;
      }
      const re = globRegExp(part);
      for (const name of readdir(dir)) {
        const p = path.join(dir, name);
        if (re.test(name) && (last || isDir(p))) next.push(p);
      }
    }
    current = next;
  }
  return current;
}

/** One path component's glob as an anchored RegExp. */
export function globRegExp(part: string): RegExp {
  let out = part.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[' && part.indexOf(']', i + 2) !== -1) {
      const close = part.indexOf(']', i + 2);
      const body = part.slice(i + 1, close);
      const negated = body[0] === '!' || body[0] === '^';
      out += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The directory a pattern's vassals live under: up to its first wildcard component. */
export function baseDirOf(pattern: string): string {
  const parts = globOf(pattern).split('/').filter(Boolean);
  const wild = parts.findIndex((p) => WILDCARD.test(p));
  const literal = wild === -1 ? parts.slice(0, -1) : parts.slice(0, wild);
  return `/${literal.join('/')}`;
}
