/**
 * uWSGI's placeholders in ini values, expanded in one left-to-right pass so that `%%(x)`
 * stays the literal text `%(x)`. Pure: the file, the environment and the other keys come in
 * through the context.
 *
 *   %d  the ini's directory, absolute, with a trailing slash    %p  the ini's absolute path
 *   %n  the ini's file name without extension                    %s  the ini's file name
 *   %x  the ini's extension, without the dot                     %c  the ini's directory name
 *   %%  a literal percent     $(VAR) an environment variable (unset = '')
 *   %(key)  the value of another key of the same section
 * Any other `%` sequence is kept as written, as uWSGI does.
 */
import path from 'node:path';
import { TsuwsgiError } from '../shared/errors';

export interface PlaceholderContext {
  /** The ini as the user named it, for messages. */
  readonly shown: string;
  readonly absolutePath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The raw (unexpanded) value of another key of the same section, if set. */
  readonly lookup: (key: string) => string | undefined;
}

const TOKEN = /%%|%\(([^)]*)\)|\$\(([^)]*)\)|%([dnpsxc])/g;

/**
 * Expands the placeholders in the value of `key`. `log-format` keeps a `%(name)` naming no key
 * of the section: there it is a request-log variable (`%(uri)`, `%(status)` …), as in uWSGI.
 */
export function expandPlaceholders(value: string, key: string, ctx: PlaceholderContext): string {
  return expand(value, [key], ctx, key === 'log-format' || key === 'logformat');
}

function expand(value: string, chain: readonly string[], ctx: PlaceholderContext, keepUnknown = false): string {
  return value.replace(TOKEN, (token: string, ref?: string, envName?: string, magic?: string) => {
    if (token === '%%') return '%';
    if (envName !== undefined) return ctx.env[envName] ?? '';
    if (magic !== undefined) return fileMagic(magic, ctx.absolutePath);
    if (keepUnknown && ctx.lookup(ref ?? '') === undefined) return token;
    return reference(ref ?? '', chain, ctx);
  });
}

function reference(ref: string, chain: readonly string[], ctx: PlaceholderContext): string {
  const user = chain[chain.length - 1];
  if (chain.includes(ref)) {
    throw new TsuwsgiError('E_CONFIG_PLACEHOLDER', `${ctx.shown}: placeholder cycle: ${[...chain, ref].join(' -> ')}`);
  }
  const raw = ctx.lookup(ref);
  if (raw === undefined) {
    throw new TsuwsgiError('E_CONFIG_PLACEHOLDER', `${ctx.shown}: ${user} uses %(${ref}), but "${ref}" is not set in this section`);
  }
  return expand(raw, [...chain, ref], ctx);
}

function fileMagic(letter: string, file: string): string {
  const ext = path.extname(file);
  switch (letter) {
    case 'd': return withTrailingSep(path.dirname(file));
    case 'n': return path.basename(file, ext);
    case 'p': return file;
    case 's': return path.basename(file);
    case 'x': return ext.slice(1);
    default: return path.basename(path.dirname(file));
  }
}

function withTrailingSep(dir: string): string {
  return dir.endsWith(path.sep) ? dir : dir + path.sep;
}

/** Keys referenced as `%(key)` in a value, so a key used only as a placeholder is not "unknown". */
export function referencedKeys(value: string): string[] {
  const keys: string[] = [];
  for (const m of value.matchAll(TOKEN)) if (m[1] !== undefined) keys.push(m[1]);
  return keys;
}
