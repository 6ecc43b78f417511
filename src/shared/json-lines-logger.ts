/**
 * The log lines of a process that writes JSON (logto, or stdout that is not a terminal): pino's
 * own layout, written here for the records that are flat (strings, finite numbers, booleans,
 * null), and by pino, loaded on the first record that is not (an Error, a nested object, a
 * format string with arguments). Loading pino and what it requires cost each process ~0.5 MiB
 * of PSS after a load and ~3 MiB before (docs/design-notes.md, "Memory"), and a worker's lines
 * are nearly all flat: `app-loaded`, `client-gone`, the request line (logger.ts's infoLine).
 * A unit test writes the same records through both and compares the bytes.
 */
import type { DestinationStream, Logger as PinoLogger } from 'pino';

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

type LogFn = {
  (obj: object, msg?: string, ...args: unknown[]): void;
  (msg: string, ...args: unknown[]): void;
};

/** What tsuwsgi uses of pino's Logger. */
export interface Logger {
  level: string;
  isLevelEnabled(level: string): boolean;
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
}

const VALUES: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
/** Keys pino treats itself when they are in a record: left to it. */
const PINO_KEYS = new Set(['level', 'time', 'msg', 'err']);

export class JsonLinesLogger implements Logger {
  private pino: PinoLogger | undefined;
  private levelName: string;
  private threshold: number;
  private readonly prefix: string;

  /** `base` as pino's `base` option; `makePino` builds the same logger over the same sink. */
  constructor(
    base: Record<string, unknown>,
    private readonly sink: DestinationStream,
    private readonly makePino: () => PinoLogger,
    level: Level = 'info',
  ) {
    const json = JSON.stringify(base);
    this.prefix = json === '{}' ? '' : `,${json.slice(1, -1)}`;
    this.threshold = VALUES[level];
    this.levelName = level;
  }

  get level(): string {
    return this.levelName;
  }

  set level(name: string) {
    const value = VALUES[name];
    if (value === undefined) throw new Error(`unknown level ${name}`);
    this.levelName = name;
    this.threshold = value;
    if (this.pino !== undefined) this.pino.level = name;
  }

  /**
   * pino's line for fields already in JSON, each with its leading comma (`,"a":1`), escaped by
   * the caller: the request line's fast path (logger.ts's infoLine).
   */
  lineOf(level: number, fields: string, msg: string | undefined): string {
    return pinoLine(level, this.prefix, fields, msg);
  }

  isLevelEnabled(level: string): boolean {
    const value = VALUES[level];
    return value !== undefined && value !== Infinity && value >= this.threshold;
  }

  /** Pino itself, loaded once a record needs it. */
  private full(): PinoLogger {
    if (this.pino === undefined) {
      this.pino = this.makePino();
      this.pino.level = this.levelName;
    }
    return this.pino;
  }

  private write(level: Level, args: unknown[]): void {
    const value = VALUES[level];
    if (value < this.threshold) return;
    const line = flatLine(value, this.prefix, args);
    if (line !== undefined) this.sink.write(line);
    else (this.full()[level] as (...a: unknown[]) => void)(...args);
  }

  trace = (...args: unknown[]): void => this.write('trace', args);
  debug = (...args: unknown[]): void => this.write('debug', args);
  info = (...args: unknown[]): void => this.write('info', args);
  warn = (...args: unknown[]): void => this.write('warn', args);
  error = (...args: unknown[]): void => this.write('error', args);
  fatal = (...args: unknown[]): void => this.write('fatal', args);
}

/** The line pino writes for (obj?, msg?), when it is flat; undefined otherwise. */
export function flatLine(level: number, prefix: string, args: readonly unknown[]): string | undefined {
  let obj: unknown;
  let msg: unknown;
  if (typeof args[0] === 'string') {
    if (!wellFormed(args[0])) return undefined;
    if (args.length > 1) return undefined;
    msg = args[0];
  } else {
    if (args.length > 2) return undefined;
    [obj, msg] = args;
    if (msg !== undefined && (typeof msg !== 'string' || !wellFormed(msg))) return undefined;
  }
  let fields = '';
  if (obj !== undefined) {
    if (obj === null || typeof obj !== 'object') return undefined;
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) return undefined;
    for (const key of Object.keys(obj)) {
      if (PINO_KEYS.has(key) || !wellFormed(key)) return undefined;
      const v = (obj as Record<string, unknown>)[key];
      let text: string;
      switch (typeof v) {
        case 'string':
          if (!wellFormed(v)) return undefined;
          text = JSON.stringify(v);
          break;
        case 'number':
          if (!Number.isFinite(v)) return undefined;
          text = String(v);
          break;
        case 'boolean':
          text = v ? 'true' : 'false';
          break;
        case 'undefined':
          continue;
        default:
          if (v !== null) return undefined;
          text = 'null';
      }
      fields += `,${JSON.stringify(key)}:${text}`;
    }
  }
  return pinoLine(level, prefix, fields, msg as string | undefined);
}

/** pino's layout: level, time, the base fields, the record's fields, msg. */
function pinoLine(level: number, prefix: string, fields: string, msg: string | undefined): string {
  return `{"level":${level},"time":${Date.now()}${prefix}${fields}${msgField(msg)}}\n`;
}

let lastMsg: string | undefined;
let lastMsgField = '';

/** `,"msg":…`; the last one is kept, as the request line's "request" comes again and again. */
function msgField(msg: string | undefined): string {
  if (msg === undefined) return '';
  if (msg !== lastMsg) {
    lastMsgField = `,"msg":${JSON.stringify(msg)}`;
    lastMsg = msg;
  }
  return lastMsgField;
}

/** A lone surrogate: pino writes it raw where JSON.stringify escapes it; left to pino. */
function wellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
