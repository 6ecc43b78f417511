/**
 * The files the master removes at exit: with `vacuum`, the unix sockets it bound, its FIFO and
 * its pidfile; always, the stats socket (as before, when libuv unlinked it on close). Only what
 * this master created: a path that now names another file (same path, other device or inode:
 * another server started there since) is left alone, and the pidfile only while it names this
 * process. A master that dropped root usually cannot unlink in a root-owned directory: one
 * warning names what is left; a stale socket or FIFO is replaced at the next start anyway.
 */
import fs from 'node:fs';
import type { Logger } from '../shared/logger';
import type { BoundSocket } from './sockets';
import { whatIsAt, type FileIdentity } from './file-identity';
import { removePidfile } from './pidfile';

export interface CreatedFile {
  readonly path: string;
  readonly identity: FileIdentity;
}

export interface ExitFiles {
  readonly vacuum: boolean;
  readonly sockets: readonly BoundSocket[];
  readonly fifo: CreatedFile | undefined;
  readonly pidfile: string | undefined;
  readonly stats: CreatedFile | undefined;
}

export function removeOwnFiles(files: ExitFiles, log: Logger): void {
  const created: (CreatedFile & { what: string })[] = [];
  if (files.vacuum) {
    for (const s of files.sockets) {
      if (s.file !== undefined && s.address.kind === 'unix') created.push({ path: s.address.path, identity: s.file, what: `${s.proto} socket` });
    }
    if (files.fifo !== undefined) created.push({ ...files.fifo, what: 'master FIFO' });
  }
  if (files.stats !== undefined) created.push({ ...files.stats, what: 'stats socket' });
  const failed: string[] = [];
  for (const f of created) {
    const state = whatIsAt(f.path, f.identity);
    if (state === 'replaced') {
      log.info({ event: 'vacuum-skipped', file: f.path }, `vacuum: ${f.path} left alone: it is no longer the ${f.what} this master created`);
    } else if (state === 'ours') {
      try {
        fs.unlinkSync(f.path);
      } catch (err) {
        failed.push(`${f.path} (${(err as NodeJS.ErrnoException).code})`);
      }
    }
  }
  if (files.vacuum && files.pidfile !== undefined) {
    const result = removePidfile(files.pidfile);
    if (result === 'not-ours') log.info({ event: 'vacuum-skipped', file: files.pidfile }, `vacuum: ${files.pidfile} left alone: it no longer holds this master's pid`);
    else if (typeof result !== 'string') failed.push(`${files.pidfile} (${result.code})`);
  }
  if (failed.length === 0) return;
  const uid = process.getuid?.() ?? 0;
  const why = uid === 0 ? '' : ` as uid ${uid} (the master dropped root after start; master-as-root keeps it)`;
  log.warn({ event: 'vacuum-failed', files: failed }, `vacuum: cannot remove ${failed.join(', ')}${why}; a stale socket or FIFO is replaced at the next start`);
}
