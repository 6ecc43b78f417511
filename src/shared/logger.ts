/**
 * pino's lines, set up the same way in the master, the workers and their app threads: pino
 * itself on a terminal (with pino-pretty), its layout written directly otherwise, pino loaded
 * only for a record that is not flat (json-lines-logger.ts).
 * Every thread writes straight to its own destination (fd 1 or the logto file, opened with
 * O_APPEND) instead of going through process.stdout, which inside a worker thread is a
 * message pipe to the main thread.
 */
import { isatty } from 'node:tty';
import { Writable } from 'node:stream';
import type { DestinationStream, LoggerOptions as PinoOptions } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { LineBuffer, type LineSink } from './line-buffer';
import { LogFile, type LogOwner } from './log-file';
import { FdSink } from './fd-sink';
import { escapeControls, escapeJsonControls } from './text-escape';
import { JsonLinesLogger, type Logger } from './json-lines-logger';

export type { Logger };

/** pino, required when a process first needs it (its modules cost memory a process keeps). */
function loadPino(): typeof import('pino').pino {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('pino') as typeof import('pino')).pino;
}

export interface LoggerOptions {
  /** Who writes: 'master', 'worker', 'thread', 'mule', or the 'emperor' of many masters. */
  readonly role: 'master' | 'worker' | 'thread' | 'mule' | 'emperor';
  readonly logto: string | undefined;
  /** The master only: the logto file is given to the workers' uid/gid at each (re)open. */
  readonly logOwner?: LogOwner;
  /** Extra fields on every line (worker id, thread index). */
  readonly bindings?: Record<string, unknown>;
}

export interface LogHandle {
  readonly logger: Logger;
  /** Write out what is buffered; call before the process or thread exits. */
  flush(): void;
  /**
   * Writes an info line pino would write for (fields, msg), from fields already in JSON
   * (`"a":1,"b":"x"`), skipping pino's generic serialisation: the request line's fast path.
   * Every string in them must come from jsonString() (text-escape.ts), which escapes what
   * pino's path escapes: the line is written as it is given.
   * Undefined when lines go to a terminal (pino-pretty) or info is not enabled.
   */
  readonly infoLine?: (jsonFields: string, msg: string) => void;
  /** Writes one plain-text line (log-format) to the same destination. */
  readonly writeText: (line: string) => void;
  /**
   * Writes out what is buffered, then opens the logto path again (logrotate moved the file).
   * False without logto: stdout has nothing to reopen. Throws E_LOGTO if the path cannot be
   * opened; lines then keep going to the old file.
   */
  reopen(): boolean;
}

export function createLogger(opts: LoggerOptions): LogHandle {
  const base = { pid: process.pid, role: opts.role, ...opts.bindings };
  const useTty = opts.logto === undefined && isatty(1) && process.env.TSUWSGI_LOG_JSON !== '1';
  if (useTty) {
    const stdout = new FdSink(1, 'stdout');
    const stream = loadPretty()({
      sync: true,
      // A stream over our sink, not fd 1: a terminal that went away must drop lines, not end
      // the process (fd-sink.ts). Written synchronously: the callback comes at once.
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          stdout.write(chunk.toString());
          done();
        },
      }) as unknown as number,
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'hostname',
      singleLine: true,
    });
    const logger = loadPino()({ base, ...terminalSafe }, stream);
    return { logger, flush: () => undefined, writeText: (line) => stdout.write(`${line}\n`), reopen: () => false };
  }
  const file = opts.logto === undefined ? undefined : new LogFile(opts.logto, opts.logOwner);
  // Synchronous, behind a buffer that writes at most every 20 ms (line-buffer.ts).
  const dest: LineSink & { flushSync(): void } = file ?? new FdSink(1, 'stdout');
  const lines = new LineBuffer(dest);
  // A crash or a plain process.exit() still writes what is pending.
  process.once('exit', () => lines.flush());
  const sink = jsonSafe(lines);
  const logger = new JsonLinesLogger(base, sink, () => loadPino()({ base }, sink));
  const infoLine = logger.isLevelEnabled('info')
    ? (jsonFields: string, msg: string): void => lines.write(logger.lineOf(30, `,${jsonFields}`, msg))
    : undefined;
  return {
    logger,
    infoLine,
    writeText: (line) => lines.write(`${line}\n`),
    flush: () => {
      try {
        lines.flush();
        dest.flushSync();
      } catch {
        // Nothing is buffered, or the fd is gone: either way nothing more can be written.
      }
    },
    reopen: () => {
      if (file === undefined) return false;
      // Buffered lines were written before the file was moved: they belong in the old one.
      lines.flush();
      file.reopen();
      return true;
    },
  };
}

/**
 * JSON lines keep request text exactly (they parse back to the original), but DEL and the C1
 * controls, which JSON.stringify leaves raw, are written as \u00XX: someone will `tail` the file
 * on a terminal. The request line's fast path (infoLine) gets the same escape from its caller,
 * string by string (jsonString), so both paths still write the same bytes.
 */
function jsonSafe(lines: LineBuffer): DestinationStream {
  return { write: (line: string) => lines.write(escapeJsonControls(line)) };
}

/**
 * A terminal shows msg and fields as text (pino-pretty keeps a `\n` in msg, and C1 controls in
 * fields): every string field and the message get their control characters as \xHH first.
 */
const terminalSafe: Pick<PinoOptions, 'formatters' | 'hooks'> = {
  formatters: {
    log: (fields) => {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(fields)) {
        const v = fields[key];
        out[key] = typeof v === 'string' ? escapeControls(v) : v;
      }
      return out;
    },
  },
  hooks: {
    logMethod(args, method) {
      for (let i = 0; i < args.length; i++) if (typeof args[i] === 'string') args[i] = escapeControls(args[i] as string);
      return method.apply(this, args);
    },
  },
};

/**
 * pino-pretty and its dependencies cost ~1.8 MB per process; only a terminal needs them, and
 * workers behind nginx almost never write to one.
 */
function loadPretty(): (opts: PrettyOptions) => DestinationStream {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('pino-pretty') as { build: (opts: PrettyOptions) => DestinationStream }).build;
}
