/**
 * Parsers of the static-file options' values (static-options.ts), in uWSGI's syntax: a mount
 * (`/mountpoint=/dir`), an expiry by pattern (`REGEXP SECONDS`) and an expiry by content type
 * (`TYPE=SECONDS`). The values stay plain data (patterns as source text) because the Config
 * crosses the IPC channel as JSON; each app thread compiles the patterns once.
 */
import path from 'node:path';
import type { Parsed, ValueContext } from './values';
import type { ExpiresRule, StaticMount } from '../shared/config';

export function parseMount(text: string, ctx: ValueContext): Parsed<StaticMount> {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) return { problem: 'expected MOUNTPOINT=DIR, such as /static=/srv/app/static' };
  const mount = text.slice(0, eq);
  if (!mount.startsWith('/')) return { problem: `the mountpoint "${mount}" must start with /` };
  return { value: Object.freeze({ mount, dir: path.resolve(ctx.baseDir, text.slice(eq + 1)) }) };
}

/** `REGEXP SECONDS`: split at the last space, as a regexp may hold spaces but a number cannot. */
export function parseExpires(text: string): Parsed<ExpiresRule> {
  const space = text.lastIndexOf(' ');
  const seconds = space > 0 ? secondsOf(text.slice(space + 1)) : undefined;
  if (space <= 0 || seconds === undefined) return { problem: 'expected REGEXP SECONDS, such as \\.css$ 86400' };
  const pattern = text.slice(0, space).trim();
  try {
    new RegExp(pattern);
  } catch (err) {
    return { problem: `"${pattern}" is not a valid regular expression (${(err as Error).message})` };
  }
  return { value: Object.freeze({ pattern, seconds }) };
}

/** `TYPE=SECONDS`, the type as a response's Content-Type names it (text/css). */
export function parseExpiresType(text: string): Parsed<ExpiresRule> {
  const eq = text.lastIndexOf('=');
  const seconds = eq > 0 ? secondsOf(text.slice(eq + 1)) : undefined;
  if (eq <= 0 || seconds === undefined) return { problem: 'expected CONTENT-TYPE=SECONDS, such as text/css=86400' };
  return { value: Object.freeze({ pattern: text.slice(0, eq).trim().toLowerCase(), seconds }) };
}

function secondsOf(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
