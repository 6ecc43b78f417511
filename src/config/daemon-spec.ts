/**
 * The three ways to declare an attached daemon, as uWSGI writes them (core/daemons.c):
 *
 *   attach-daemon       = COMMAND
 *   smart-attach-daemon = PIDFILE[,FREQ] COMMAND
 *   attach-daemon2      = cmd=COMMAND,pidfile=...,stopsignal=...,reloadsignal=...,touch=a;b
 *
 * Each becomes one DaemonSpec; `daemonsOf` lists a config's daemons in a stable order. Keys of
 * attach-daemon2 that tsuwsgi does not implement (daemonize, uid, gid, ns_pid, legion, stdin)
 * are refused by name rather than ignored: the daemon would not run as its file says.
 */
import os from 'node:os';
import path from 'node:path';
import type { Config, DaemonSpec } from '../shared/config';
import type { Parsed } from './values';

/** uWSGI's defaults: a smart daemon gets 10 s to write its pidfile; throttling stops at 5 min. */
const DEFAULTS = { pidfile: undefined, freq: 10, stopSignal: 'SIGTERM', reloadSignal: undefined, touch: [], chdir: undefined, maxThrottle: 300, control: false } as const;

const KEYS: Record<string, string> = {
  command: 'cmd', cmd: 'cmd', exec: 'cmd', pidfile: 'pidfile', freq: 'freq', stopsignal: 'stopsignal', stop_signal: 'stopsignal',
  reloadsignal: 'reloadsignal', reload_signal: 'reloadsignal', touch: 'touch', chdir: 'chdir', max_throttle: 'max_throttle',
  control: 'control', notifypid: 'notifypid',
};

const REFUSED = new Set(['daemonize', 'daemon', 'uid', 'gid', 'ns_pid', 'legion', 'stdin']);

export function daemonsOf(config: Pick<Config, 'attachDaemon' | 'smartAttachDaemon' | 'attachDaemon2'>): readonly DaemonSpec[] {
  return [...config.attachDaemon, ...config.smartAttachDaemon, ...config.attachDaemon2];
}

export function parseAttachDaemon(text: string): Parsed<DaemonSpec> {
  const command = text.trim();
  if (command === '') return { problem: 'expected a command' };
  return { value: Object.freeze({ ...DEFAULTS, command }) };
}

export function parseSmartAttachDaemon(text: string, baseDir: string): Parsed<DaemonSpec> {
  const m = /^\s*(\S+)\s+(\S.*)$/.exec(text);
  if (m === null) return { problem: 'expected PIDFILE[,FREQ] COMMAND' };
  const [file, freqText] = m[1].split(',', 2);
  const freq = freqText === undefined ? DEFAULTS.freq : positive(freqText);
  if (freq === undefined) return { problem: `the check frequency ${JSON.stringify(freqText)} is not a whole number of seconds ≥ 1` };
  return { value: Object.freeze({ ...DEFAULTS, command: m[2].trim(), pidfile: path.resolve(baseDir, file), freq }) };
}

export function parseAttachDaemon2(text: string, baseDir: string): Parsed<DaemonSpec> {
  const pairs = splitPairs(text);
  if (typeof pairs === 'string') return { problem: pairs };
  const spec: { -readonly [K in keyof DaemonSpec]: DaemonSpec[K] } = { ...DEFAULTS, command: '' };
  for (const [rawKey, value] of pairs) {
    const key = KEYS[rawKey];
    if (key === undefined) {
      return { problem: REFUSED.has(rawKey) ? `the key ${rawKey} is not implemented by tsuwsgi` : `unknown key ${JSON.stringify(rawKey)}` };
    }
    const problem = applyKey(spec, key, value, baseDir);
    if (problem !== undefined) return { problem: `${rawKey}: ${problem}` };
  }
  if (spec.command === '') return { problem: 'the cmd key (the command to run) is required' };
  return { value: Object.freeze(spec) };
}

function applyKey(spec: { -readonly [K in keyof DaemonSpec]: DaemonSpec[K] }, key: string, value: string, baseDir: string): string | undefined {
  switch (key) {
    case 'cmd': spec.command = value.trim(); return spec.command === '' ? 'expected a command' : undefined;
    case 'pidfile': spec.pidfile = path.resolve(baseDir, value); return undefined;
    case 'chdir': spec.chdir = path.resolve(baseDir, value); return undefined;
    case 'touch': spec.touch = value.split(';').filter((f) => f !== '').map((f) => path.resolve(baseDir, f)); return undefined;
    case 'control': spec.control = value !== '0' && value.toLowerCase() !== 'false'; return undefined;
    // uWSGI sends reloadsignal to a smart daemon only with notifypid; here reloadsignal alone does.
    case 'notifypid': return undefined;
    case 'stopsignal':
    case 'reloadsignal': {
      const signal = parseSignal(value);
      if (signal === undefined) return `${JSON.stringify(value)} is not a signal name or number`;
      if (key === 'stopsignal') spec.stopSignal = signal;
      else spec.reloadSignal = signal;
      return undefined;
    }
    default: {
      const n = positive(value);
      if (n === undefined) return 'expected a whole number ≥ 1';
      if (key === 'freq') spec.freq = n;
      else spec.maxThrottle = n;
      return undefined;
    }
  }
}

/** uWSGI's kvlist: `,` between pairs, `=` in each, a backslash escapes the next character. */
function splitPairs(text: string): [string, string][] | string {
  const parts: string[] = [''];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) parts[parts.length - 1] += text[++i];
    else if (c === ',') parts.push('');
    else parts[parts.length - 1] += c;
  }
  const pairs: [string, string][] = [];
  for (const part of parts) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return `expected key=value pairs separated by commas, got ${JSON.stringify(part)}`;
    pairs.push([part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1)]);
  }
  return pairs.length === 0 ? 'expected key=value pairs separated by commas' : pairs;
}

/** SIGHUP, HUP or 1 (uWSGI takes numbers only). */
export function parseSignal(text: string): NodeJS.Signals | undefined {
  const t = text.trim().toUpperCase();
  const signals = os.constants.signals as Record<string, number>;
  if (/^\d+$/.test(t)) return Object.keys(signals).find((name) => signals[name] === Number(t)) as NodeJS.Signals | undefined;
  const name = t.startsWith('SIG') ? t : `SIG${t}`;
  return name in signals ? (name as NodeJS.Signals) : undefined;
}

function positive(text: string): number | undefined {
  return /^\d+$/.test(text.trim()) && Number(text) >= 1 ? Number(text) : undefined;
}
