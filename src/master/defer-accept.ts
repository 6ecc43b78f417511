/**
 * TCP_DEFER_ACCEPT on the master's TCP sockets, as uWSGI sets it by default (core/socket.c
 * bind_to_tcp, for socket-timeout seconds; `no-defer-accept` turns it off). The kernel then
 * queues a connection for accept only once its first bytes have arrived: nginx's connect()
 * completes before it writes its request, so without it a worker wakes at the handshake, finds
 * nothing to read and waits for a second wake-up (28-43 % of TCP connections under load;
 * measured 1 x 1 behind nginx: 79-91 µs of worker CPU per TCP request with it, 102-124
 * without; design-notes.md "The TCP path").
 *
 * Node has no setsockopt, and a native addon would need a compiler or a prebuilt binary. The
 * option belongs to the socket, which every dup shares, so a perl one-liner sets it once on
 * the socket handed to it as its stdin, and reads it back. perl-base is part of every Debian
 * and Ubuntu (slim images too); where perl is missing the socket is served without it.
 * perl runs with an empty environment (PERL5OPT, PERL5LIB cannot reach a root master's child)
 * from a fixed path, with a fixed script.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { BoundSocket } from './sockets';

const PERLS = ['/usr/bin/perl', '/bin/perl'];

// TCP_DEFER_ACCEPT is 9 on Linux; Socket.pm names it on most builds.
const SCRIPT = [
  'use Socket qw(IPPROTO_TCP);',
  'my $o = defined(&Socket::TCP_DEFER_ACCEPT) ? Socket::TCP_DEFER_ACCEPT() : 9;',
  'setsockopt(STDIN, IPPROTO_TCP, $o, pack("i", $ARGV[0])) or die "setsockopt: $!\\n";',
  'my $v = getsockopt(STDIN, IPPROTO_TCP, $o) or die "getsockopt: $!\\n";',
  'print unpack("i", $v), "\\n";',
].join(' ');

export type DeferAccept =
  | { readonly ok: true; /** What the kernel reports back (it rounds up to its retransmit steps). */ readonly seconds: number }
  | { readonly ok: false; readonly why: string };

/** Sets TCP_DEFER_ACCEPT to `seconds` on the TCP socket `fd` (Linux; elsewhere it says why not). */
export function deferAccept(fd: number, seconds: number, perls: readonly string[] = PERLS): DeferAccept {
  if (process.platform !== 'linux') return { ok: false, why: `not on ${process.platform}` };
  const perl = perls.find((p) => fs.existsSync(p));
  if (perl === undefined) return { ok: false, why: `perl not found (${perls.join(', ')})` };
  const run = spawnSync(perl, ['-e', SCRIPT, String(seconds)], {
    stdio: [fd, 'pipe', 'pipe'],
    env: {},
    timeout: 10_000,
    encoding: 'utf8',
  });
  if (run.error !== undefined) return { ok: false, why: `${perl}: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}` };
  const read = Number.parseInt(run.stdout.trim(), 10);
  if (run.status !== 0 || !(read > 0)) {
    const said = (run.stderr || run.stdout).trim().split('\n')[0] ?? '';
    return { ok: false, why: `${perl} exited ${run.status ?? run.signal}${said === '' ? '' : `: ${said}`}` };
  }
  return { ok: true, seconds: read };
}

/**
 * On every TCP socket this master bound (not a unix one, not one systemd passed: its
 * DeferAcceptSec= decides), unless no-defer-accept. A socket left without it is one line.
 */
export function deferAcceptOnTcp(sockets: readonly BoundSocket[], config: Config, log: Logger): void {
  if (config.noDeferAccept) return;
  for (const s of sockets) {
    if (s.address.kind === 'unix' || s.inherited === true) continue;
    const result = deferAccept(s.fd, config.socketTimeout);
    if (result.ok) {
      log.debug({ event: 'defer-accept', socket: s.name, seconds: result.seconds }, `${s.name}: TCP_DEFER_ACCEPT on`);
    } else {
      log.info(
        { event: 'defer-accept-off', socket: s.name, why: result.why },
        `${s.name}: TCP_DEFER_ACCEPT not set (${result.why}): each connection wakes a worker before its request arrives`,
      );
    }
  }
}
