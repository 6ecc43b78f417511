/**
 * systemd's socket-passing contract (sd_listen_fds(3)), read from the environment: LISTEN_FDS
 * sockets start at fd 3 and are ours only when LISTEN_PID is our own pid (a child that merely
 * inherited the variables must not take them). Shared by the config check (a server whose
 * sockets are all inherited needs no `socket =` line) and the master, which adopts them.
 */

/** The first passed fd (SD_LISTEN_FDS_START). */
export const FIRST_LISTEN_FD = 3;

/** The passed fds, or none when the variables are absent, malformed or meant for another pid. */
export function listenFds(env: Readonly<Record<string, string | undefined>>, pid: number): number[] {
  const forPid = env.LISTEN_PID;
  const count = env.LISTEN_FDS;
  if (forPid === undefined || count === undefined) return [];
  if (!/^\d+$/.test(forPid) || Number(forPid) !== pid) return [];
  if (!/^\d+$/.test(count)) return [];
  const n = Number(count);
  return Array.from({ length: n }, (_, i) => FIRST_LISTEN_FD + i);
}

/** As sd_listen_fds(1): the variables go, so that nothing we start takes the sockets again. */
export function forgetListenFds(env: Record<string, string | undefined>): void {
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
}
