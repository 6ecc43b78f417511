/**
 * Where a request path may lead in the file system, as pure string rules (unit-tested alone):
 * which mount a path falls under, the candidate file under a root, and whether a resolved path
 * stays inside a directory. The file system then has the last word: the candidate's realpath
 * must pass `isInside` too (static-files.ts), so a symlink cannot lead out either.
 */

/**
 * root + rest, or undefined when rest climbs: a `..` segment is never resolved, whether it came
 * literally or as `%2e%2e` (decoded before this). nginx normalises such paths before they reach
 * the uwsgi socket and browsers before they send them, so only a probe carries one; uWSGI would
 * realpath it and serve what stays inside, we do not look.
 */
export function underRoot(root: string, rest: string): string | undefined {
  let out = root.endsWith('/') ? root.slice(0, -1) : root;
  let start = 0;
  while (start <= rest.length) {
    let end = rest.indexOf('/', start);
    if (end === -1) end = rest.length;
    const segment = rest.slice(start, end);
    start = end + 1;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return undefined;
    out += `/${segment}`;
  }
  return out === '' ? '/' : out;
}

/** `path` is `dir` or below it. A plain prefix is not enough: /srv/static2 is not inside /srv/static. */
export function isInside(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/');
  if (!path.startsWith(dir)) return false;
  return path.length === dir.length || path.charCodeAt(dir.length) === 0x2f /* / */;
}

/** static-skip-ext: the path ends with one of the suffixes. */
export function skipped(path: string, suffixes: readonly string[]): boolean {
  for (let i = 0; i < suffixes.length; i++) if (path.endsWith(suffixes[i])) return true;
  return false;
}

/** The first mount whose prefix the path starts with, at or after index `from`; -1 if none. */
export function mountIndex(path: string, prefixes: readonly string[], from = 0): number {
  for (let i = from; i < prefixes.length; i++) if (path.startsWith(prefixes[i])) return i;
  return -1;
}
