/**
 * Exit codes: the contract between master, workers and whoever started the master
 * (shell, systemd, Docker). Named once here; docs/exit-codes.md lists them.
 */
export const ExitCode = {
  /** Clean shutdown (SIGTERM drained, fifo q; the Emperor: every vassal stopped after SIGTERM). */
  Ok: 0,
  /** Unexpected internal error of the master (a bug): workers killed, vacuum, the stack logged. */
  Internal: 1,
  /** Bad configuration or command line: one line on stderr names the culprit. */
  Config: 2,
  /** A worker could not boot (e.g. privilege drop failed), or a root master refused an unsafe directory; the master halts. The Emperor: emperor-tyrant without root, or an unsafe vassal directory. */
  BootError: 3,
  /** The app failed to load and need-app is set; the master halts instead of respawning. */
  AppLoadError: 4,
  /** A socket could not be bound, or a live server already owns it (or the master FIFO); `tsuwsgi top`: the stats address cannot be read. */
  SocketError: 5,
  /** Immediate shutdown asked for (SIGINT, SIGQUIT, second SIGTERM), of a master or of the Emperor and its vassals. */
  Interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;
