/**
 * `uid`, `gid` and `chown-socket` values: a name or a number, as in uWSGI. A value made of
 * digits is used as is (it need not exist in the account files); anything else is looked up
 * by name in /etc/passwd or /etc/group. Only the files are read, not NSS (LDAP, systemd's
 * dynamic users): Node has no getpwnam(), and the files are what a container or a Debian host
 * has. Pure functions over the files' text, plus thin readers of the real files.
 */
import fs from 'node:fs';
import type { ErrorCode } from '../shared/errors';

export const PASSWD_FILE = '/etc/passwd';
export const GROUP_FILE = '/etc/group';

/** The largest id child_process accepts (an int32); (uid_t)-1 means "unchanged" to the kernel. */
export const MAX_ID = 2 ** 31 - 1;

export interface Account {
  readonly name: string;
  readonly id: number;
  /** The user's primary group; undefined for a group entry. */
  readonly primaryGid?: number;
}

export interface Accounts {
  readonly users: readonly Account[];
  readonly groups: readonly Account[];
}

export type Resolved<T> = { readonly value: T } | { readonly problem: string; readonly code?: ErrorCode };

/** `name:x:uid:gid:gecos:home:shell` lines; comments, NIS `+`/`-` lines and malformed lines skipped. */
export function parsePasswd(text: string): Account[] {
  return entries(text, 7).map((f) => ({ name: f[0], id: Number(f[2]), primaryGid: Number(f[3]) }))
    .filter((a) => Number.isSafeInteger(a.primaryGid));
}

/** `name:x:gid:members` lines. */
export function parseGroup(text: string): Account[] {
  return entries(text, 4).map((f) => ({ name: f[0], id: Number(f[2]) }));
}

function entries(text: string, minFields: number): string[][] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('+') && !line.startsWith('-'))
    .map((line) => line.split(':'))
    .filter((f) => f.length >= minFields && f[0] !== '' && /^\d+$/.test(f[2]));
}

let cached: Accounts | undefined;

/** The host's /etc/passwd and /etc/group, read once per process (a missing file is empty). */
export function systemAccounts(): Accounts {
  cached ??= { users: parsePasswd(readOrEmpty(PASSWD_FILE)), groups: parseGroup(readOrEmpty(GROUP_FILE)) };
  return cached;
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** uid = NAME|NUMBER. */
export function resolveUser(text: string, accounts: Accounts): Resolved<number> {
  return resolveId(text, accounts.users, 'user', PASSWD_FILE, 'E_CONFIG_UNKNOWN_USER');
}

/** gid = NAME|NUMBER. */
export function resolveGroup(text: string, accounts: Accounts): Resolved<number> {
  return resolveId(text, accounts.groups, 'group', GROUP_FILE, 'E_CONFIG_UNKNOWN_GROUP');
}

function resolveId(text: string, table: readonly Account[], what: string, file: string, code: ErrorCode): Resolved<number> {
  const t = text.trim();
  if (t === '') return { problem: `expected a ${what} name or number` };
  if (/^\d+$/.test(t)) {
    const id = Number(t);
    return id <= MAX_ID ? { value: id } : { problem: `a ${what} id is at most ${MAX_ID}` };
  }
  const found = table.find((a) => a.name === t);
  return found === undefined ? { problem: `no such ${what} in ${file}`, code } : { value: found.id };
}

/**
 * chown-socket = USER[:GROUP]. Without a group only the owner changes (uWSGI's chown(uid, -1)):
 * the socket keeps the master's group.
 */
export function resolveOwner(text: string, accounts: Accounts): Resolved<{ readonly uid: number; readonly gid: number | undefined }> {
  const colon = text.indexOf(':');
  const userText = colon < 0 ? text : text.slice(0, colon);
  if (userText.trim() === '') return { problem: 'expected USER or USER:GROUP' };
  const user = resolveUser(userText, accounts);
  if (!('value' in user)) return user;
  if (colon < 0) return { value: Object.freeze({ uid: user.value, gid: undefined }) };
  const group = resolveGroup(text.slice(colon + 1), accounts);
  if (!('value' in group)) return group;
  return { value: Object.freeze({ uid: user.value, gid: group.value }) };
}

/** The primary group of a uid, from its passwd entry; undefined when it has none. */
export function primaryGroupOf(uid: number, accounts: Accounts): number | undefined {
  return accounts.users.find((a) => a.id === uid)?.primaryGid;
}
