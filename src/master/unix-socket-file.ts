/**
 * The unix socket files the master creates (uwsgi/http sockets, the stats socket), made so that
 * nothing done in the directory by someone else — the workers' user may be able to write it —
 * turns the root master's chmod or chown onto another file, or lets it take over a live server's
 * socket.
 *
 * - The mode comes from the umask at bind(): the kernel creates the file 0777 & ~umask, so there
 *   is no chmod by path and no moment where the file is more open than asked.
 * - The owner (chown-socket) is changed through an O_PATH|O_NOFOLLOW fd on the file just bound.
 *   fchown()/fchmod() on the socket's own fd succeed but change the socket inode in sockfs, not
 *   the file (measured on Linux 6.x), and fchown() on an O_PATH fd is EBADF; chown() of
 *   /proc/self/fd/N acts on exactly the inode the fd pins, whatever the path names by then
 *   (systemd's fchmod_opath() does the same). The fd is checked first: a socket, one link,
 *   owned by this process, so a symlink, a hard link or another user's socket put there between
 *   bind and open is refused.
 * - Its device and inode are recorded: vacuum removes this file, not a later one at that path.
 *
 * Not the other way (bind in a private 0700 directory next to the path, chmod there, link()
 * into place): a user who can write the parent can rename that private directory (a rename
 * within one parent needs no write permission on the directory moved) and put their own in its
 * place, with a symlink where the socket was, between mkdtemp and chmod.
 */
import fs from 'node:fs';
import net from 'node:net';
import { TsuwsgiError } from '../shared/errors';
import { identityOf, type FileIdentity } from './file-identity';
import { bindHandle } from './server-handle';
import type { RawServerHandle } from '../shared/node-internals';

/** Linux's O_PATH (the same on x86, arm, riscv, ppc, s390); Node's fs.constants lacks it. */
const O_PATH = 0o10000000;

export interface SocketOwner {
  readonly uid: number;
  readonly gid: number | undefined;
}

export interface UnixSocketFile {
  /** Owns the fd. Never closed: libuv unlinks the path when a handle it bound by path closes. */
  readonly handle: RawServerHandle;
  readonly identity: FileIdentity;
}

/** `what` names the socket in errors (its address as configured). */
export async function bindUnixSocket(file: string, what: string, mode: number | undefined, owner: SocketOwner | undefined): Promise<UnixSocketFile> {
  await clearStaleSocket(file);
  const handle = underUmask(mode, () => bindHandle(file, -1, -1, what));
  // On a refusal the handle is left open, not closed: closing would unlink whatever is at the
  // path now. The master is exiting anyway.
  return { handle, identity: secure(file, what, mode, owner) };
}

function underUmask<T>(mode: number | undefined, bind: () => T): T {
  if (mode === undefined) return bind();
  const before = process.umask(~mode & 0o777);
  try {
    return bind();
  } finally {
    process.umask(before);
  }
}

function secure(file: string, what: string, mode: number | undefined, owner: SocketOwner | undefined): FileIdentity {
  let fd: number;
  try {
    fd = fs.openSync(file, O_PATH | fs.constants.O_NOFOLLOW);
  } catch (err) {
    throw new TsuwsgiError('E_SOCKET_BIND', `${what}: the socket file cannot be opened right after bind: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const st = fs.fstatSync(fd);
    const me = process.geteuid?.() ?? 0;
    if (!st.isSocket() || st.nlink !== 1 || st.uid !== me) {
      const found = st.isSocket() ? 'socket' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'regular file' : 'file';
      throw new TsuwsgiError('E_SOCKET_BIND', `${what}: the socket file was replaced right after bind (now a ${found} of uid ${st.uid} with ${st.nlink} link(s)); refusing to touch it`);
    }
    const self = `/proc/self/fd/${fd}`;
    // A default ACL on the directory overrides the umask: set the mode on the pinned inode then.
    if (mode !== undefined && (st.mode & 0o777) !== mode) {
      try {
        fs.chmodSync(self, mode);
      } catch (err) {
        throw new TsuwsgiError('E_SOCKET_CHMOD', `${what}: chmod-socket ${mode.toString(8)} failed: ${(err as Error).message}`);
      }
    }
    if (owner !== undefined) {
      try {
        fs.chownSync(self, owner.uid, owner.gid ?? -1);
      } catch (err) {
        const to = owner.gid === undefined ? `${owner.uid}` : `${owner.uid}:${owner.gid}`;
        throw new TsuwsgiError('E_SOCKET_CHOWN', `${what}: chown-socket ${to} failed: ${(err as Error).message}`);
      }
    }
    return identityOf(st);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A socket file left by a server that died is replaced; a live server's socket is never
 * taken over (uWSGI unlinks it blindly, and the usurper's vacuum later strands the first one).
 * Only ECONNREFUSED means nobody listens: EAGAIN is a live server whose listen queue is full,
 * EACCES one we may not reach; both are refused, as a server that accepts nothing in a second.
 */
export async function clearStaleSocket(file: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return;
  }
  if (!st.isSocket()) {
    throw new TsuwsgiError('E_SOCKET_BIND', `${file}: exists and is not a unix socket; refusing to replace it`);
  }
  const answer = await probe(file);
  if (answer === 'ENOENT') return;
  if (answer === 'ECONNREFUSED') {
    fs.unlinkSync(file);
    return;
  }
  const why: Record<string, string> = {
    connected: 'another server is listening on this unix socket',
    timeout: 'another server holds this unix socket (a connection neither succeeded nor was refused within 1 s)',
    EAGAIN: "another server is listening on this unix socket (its listen queue is full: EAGAIN); refusing to replace it",
  };
  if (answer in why) throw new TsuwsgiError('E_SOCKET_IN_USE', `${file}: ${why[answer]}`);
  throw new TsuwsgiError('E_SOCKET_BIND', `${file}: cannot tell whether a server listens on this unix socket (connect: ${answer}); refusing to replace it`);
}

/** 'connected', 'timeout', or the connect error's code. */
function probe(file: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}
