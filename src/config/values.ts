/**
 * One parser per option kind: text in, typed value or a short problem out. The caller adds
 * the file, key and value to the problem, so every message has the same shape.
 */
import path from 'node:path';
import type { OptionSpec } from './options';
import { parseAddress } from './address';
import { parseModule } from './app-target';
import type { ErrorCode } from '../shared/errors';
import { parseExpires, parseExpiresType, parseMount } from './static-values';
import { parseCronLine } from '../shared/cron/schedule';
import type { CronLine } from '../shared/config';
import { resolveGroup, resolveOwner, resolveUser, systemAccounts } from './user-lookup';
import { parseAttachDaemon, parseAttachDaemon2, parseSmartAttachDaemon } from './daemon-spec';

/** A problem may name its own error code; E_CONFIG_BAD_VALUE otherwise. */
export type Parsed<T = unknown> = { readonly value: T } | { readonly problem: string; readonly code?: ErrorCode };

export interface ValueContext {
  /** Where a relative path in this value resolves. */
  readonly baseDir: string;
}

/** '' stands for "given without a value" (`--vacuum`, `vacuum =`). */
export function parseValue(spec: OptionSpec, text: string, ctx: ValueContext): Parsed {
  switch (spec.kind) {
    case 'string': return text === '' ? { problem: 'expected a value' } : { value: text };
    case 'path': return text === '' ? { problem: 'expected a path' } : { value: path.resolve(ctx.baseDir, text) };
    case 'int': return withinLimits(parseInteger(text), spec);
    case 'int-auto': return text === 'auto' ? { value: 'auto' } : withinLimits(parseInteger(text), spec);
    case 'size': return withinLimits(parseSize(text), spec);
    case 'bool': return parseBool(text);
    case 'mode': return parseMode(text);
    case 'env': return parseEnv(text);
    case 'address': return parseAddress(text, ctx.baseDir);
    case 'module': return parseModule(text, ctx.baseDir);
    case 'user': return resolveUser(text, systemAccounts());
    case 'group': return resolveGroup(text, systemAccounts());
    case 'owner': return resolveOwner(text, systemAccounts());
    case 'daemon': return parseAttachDaemon(text);
    case 'smart-daemon': return parseSmartAttachDaemon(text, ctx.baseDir);
    case 'daemon2': return parseAttachDaemon2(text, ctx.baseDir);
    case 'mount': return parseMount(text, ctx);
    case 'expires': return parseExpires(text);
    case 'expires-type': return parseExpiresType(text);
    case 'cron': return parseCron(text);
  }
}

const TRUE = new Set(['', 'true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

export function parseBool(text: string): Parsed<boolean> {
  const t = text.trim().toLowerCase();
  if (TRUE.has(t)) return { value: true };
  if (FALSE.has(t)) return { value: false };
  return { problem: 'expected true/false, yes/no, on/off or 1/0' };
}

export function parseInteger(text: string): Parsed<number> {
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? { value: n } : { problem: 'expected an integer' };
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes, with uWSGI-style binary k/m/g suffixes. */
export function parseSize(text: string): Parsed<number> {
  const m = /^(\d+)\s*([kmg]?)$/i.exec(text);
  const n = m ? Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()] : NaN;
  return Number.isSafeInteger(n) ? { value: n } : { problem: 'expected a size in bytes such as 1048576, 512k, 100m or 1g' };
}

function withinLimits(parsed: Parsed<number>, spec: OptionSpec): Parsed<number> {
  if (!('value' in parsed)) return parsed;
  if (spec.min !== undefined && parsed.value < spec.min) return { problem: `minimum is ${spec.min}` };
  if (spec.max !== undefined && parsed.value > spec.max) return { problem: `maximum is ${spec.max}` };
  return parsed;
}

/** uWSGI's chmod-socket: bare, true or 1 is 666 ("for lazy and brave users"), else 3 octal digits. */
export function parseMode(text: string): Parsed<number> {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'true' || t === '1') return { value: 0o666 };
  if (/^[0-7]{3}$/.test(t)) return { value: parseInt(t, 8) };
  return { problem: 'expected 3 octal digits such as 660 (or no value for 666)' };
}

export function parseEnv(text: string): Parsed<readonly [string, string]> {
  const eq = text.indexOf('=');
  if (eq <= 0) return { problem: 'expected KEY=VALUE' };
  return { value: Object.freeze([text.slice(0, eq), text.slice(eq + 1)] as const) };
}

/** `MIN HOUR DAY MONTH WEEKDAY COMMAND`, kept as text once the schedule is known to be valid. */
export function parseCron(text: string): Parsed<CronLine> {
  const p = parseCronLine(text);
  if ('problem' in p) return p;
  return { value: Object.freeze({ schedule: p.schedule.text, command: p.command }) };
}
