/** The frozen, typed configuration every other module reads (a contract: the master sends it to every worker). Built once by config/load-config.ts. */

/** A `cron =` line, as written (the master parses the schedule again: a Config is plain data). */
export interface CronLine {
  /** The five fields. */
  readonly schedule: string;
  readonly command: string;
}

/** A module and the export to use: the app (`module`) or a mule (`mule`). */
export interface ModuleTarget {
  readonly appFile: string | undefined;
  readonly appPackage: string | undefined;
  /** The part after `:`, if any; for the app an explicit `callable` option overrides it. */
  readonly callable: string | undefined;
}

export type SocketAddress =
  | { readonly kind: 'tcp'; readonly host: string | undefined; readonly port: number; readonly text: string }
  | { readonly kind: 'unix'; readonly path: string; readonly text: string };

export interface Config extends StaticFilesConfig {
  /** Absolute path of the ini file, when one was given. */
  readonly iniFile: string | undefined;
  readonly section: string;
  /** Directory relative paths resolve against: chdir if set, else the ini's directory, else cwd. */
  readonly baseDir: string;

  readonly socket: readonly SocketAddress[];
  readonly httpSocket: readonly SocketAddress[];
  readonly processes: number;
  /** Adaptive workers (uWSGI's cheaper): the minimum kept; 0 = always `processes`. master/cheaper/. */
  readonly cheaper: number;
  readonly cheaperInitial: number;
  readonly cheaperStep: number;
  readonly cheaperOverload: number;
  readonly cheaperAlgo: string;
  readonly cheaperRssLimitSoft: number;
  readonly cheaperRssLimitHard: number;
  readonly cheaperBusynessMax: number;
  readonly cheaperBusynessMin: number;
  readonly cheaperBusynessMultiplier: number;
  readonly cheaperBusynessPenalty: number;
  readonly cheaperBusynessBacklogAlert: number;
  readonly cheaperBusynessBacklogMultiplier: number;
  readonly cheaperBusynessBacklogStep: number;
  readonly cheaperBusynessBacklogNonzero: number;
  readonly cheaperBusynessVerbose: boolean;
  readonly threads: number;
  /** App threads started with the worker and always kept; threads - threadsMin start on demand. */
  readonly threadsMin: number;
  /** Seconds an on-demand app thread must be unneeded before it retires. */
  readonly threadsIdle: number;
  /** node-args, each setting as written (split on spaces where used). */
  readonly nodeArgs: readonly string[];
  /** MiB; 0 = Node's default; auto = by Node line and process role (node-args.ts semiSpaceFor). */
  readonly maxSemiSpaceSize: number | 'auto';
  /** Workers that always accept when none is saturated; 0 = all; auto = the CPU count (accept-turn). */
  readonly acceptingWorkers: number | 'auto';
  /** Seconds without a new request before an app thread collects its heap once; 0 = never. */
  readonly idleGc: number;
  readonly master: boolean;
  /** Absolute path of the app module (from wsgi-file, file or the path part of module). */
  readonly appFile: string | undefined;
  /** Package name when `module` names a package rather than a path. */
  readonly appPackage: string | undefined;
  readonly callable: string | undefined;
  readonly chdir: string | undefined;
  readonly env: readonly (readonly [string, string])[];
  /** Unix socket mode; undefined = leave it to the umask. */
  readonly chmodSocket: number | undefined;
  /** Owner given to unix sockets after bind (chown-socket); gid undefined = group unchanged. */
  readonly chownSocket: { readonly uid: number; readonly gid: number | undefined } | undefined;
  /** uid the workers run as; undefined = the master's. */
  readonly uid: number | undefined;
  /** gid the workers run as; the uid's primary group when only uid is given; undefined = the master's. */
  readonly gid: number | undefined;
  /** With uid/gid: the master keeps root instead of becoming uid/gid once its files exist. */
  readonly masterAsRoot: boolean;
  /** Accept logto/pidfile directories the workers' user can change (refused by default). */
  readonly allowWritableDirs: boolean;
  readonly vacuum: boolean;
  readonly dieOnTerm: boolean;
  readonly bufferSize: number;
  /** 0 = no limit. */
  readonly limitPost: number;
  /** Bodies are read whole before the app runs: under this many bytes in memory, else a temp file; 0 = off. */
  readonly postBuffering: number;
  /** With post-buffering: bytes per write to, and read from, the temp file. */
  readonly postBufferingBufsize: number;
  /** Directory of post-buffering's temp files; undefined = the worker's os.tmpdir(). */
  readonly postBufferingDir: string | undefined;
  /** Seconds: the longest wait for the peer on a connection, and the deadline of a uwsgi head. */
  readonly socketTimeout: number;
  /** Seconds a request's head and body may take to arrive (http-timeout). */
  readonly httpTimeout: number;
  /** Seconds an idle keep-alive connection on http-socket is kept; 0 = no keep-alive. */
  readonly httpKeepalive: number;
  readonly pidfile: string | undefined;
  readonly listen: number;
  /** Leave TCP_DEFER_ACCEPT off (no-defer-accept). */
  readonly noDeferAccept: boolean;
  readonly logto: string | undefined;
  readonly disableLogging: boolean;
  readonly needApp: boolean;
  readonly strict: boolean;
  readonly workerReloadMercy: number;
  /** Plain-text request lines with uWSGI's %(var) variables ('uwsgi': uWSGI's line). */
  readonly logFormat: string | undefined;
  /** With disable-logging: still log 4xx / 5xx answers, and requests of at least logSlow ms. */
  readonly log4xx: boolean;
  readonly log5xx: boolean;
  readonly logSlow: number;
  /** Reopen logto on every reload too (SIGUSR2 / fifo l always reopen it). */
  readonly logReopen: boolean;
  /** Seconds a request may run before it is stopped; 0 = off. */
  readonly harakiri: number;
  /** Recycling limits; 0 = off. */
  readonly maxRequests: number;
  readonly maxRequestsDelta: number;
  readonly reloadOnRss: number;
  readonly maxWorkerLifetime: number;
  /** Files whose mtime change triggers a graceful / a chain reload. */
  readonly touchReload: readonly string[];
  readonly touchChainReload: readonly string[];
  /** The master's command FIFO. */
  readonly masterFifo: string | undefined;
  /** Where the master serves the stats document; undefined = no stats (and no counters). */
  readonly stats: SocketAddress | undefined;
  /** The stats address speaks HTTP (GET / JSON, GET /metrics Prometheus). */
  readonly statsHttp: boolean;
  /** The stats show a running request's query string (never its headers or cookies). */
  readonly statsVars: boolean;
  /** Mode of a unix-socket stats address. */
  readonly statsChmod: number;
  /** Attached daemons, one list per option that declares them (daemonsOf() joins them). */
  readonly attachDaemon: readonly DaemonSpec[];
  readonly smartAttachDaemon: readonly DaemonSpec[];
  readonly attachDaemon2: readonly DaemonSpec[];
  /** One mule per entry, mule id = index + 1. */
  readonly mules: readonly ModuleTarget[];
  /** Bytes of a mule message's JSON text. */
  readonly muleMsgSize: number;
  /** Messages held by the master per mule. */
  readonly muleQueue: number;
  readonly cron: readonly CronLine[];
}

/**
 * A command the master keeps running beside the workers (attach-daemon, smart-attach-daemon,
 * attach-daemon2). Parsed by daemon-spec.ts; run by src/master/daemons/.
 */
export interface DaemonSpec {
  /** Run with /bin/sh -c, as uWSGI does. */
  readonly command: string;
  /** Smart daemon: watched through this pidfile (absolute), not through its exit. */
  readonly pidfile: string | undefined;
  /** Seconds a started smart daemon has to write a live pid into its pidfile. */
  readonly freq: number;
  readonly stopSignal: NodeJS.Signals;
  /** Sent on a master reload; a plain daemon then keeps running instead of being restarted. */
  readonly reloadSignal: NodeJS.Signals | undefined;
  /** Files whose mtime change sends stopSignal (the daemon is then started again). */
  readonly touch: readonly string[];
  /** Working directory (absolute); the workers' chdir when unset. */
  readonly chdir: string | undefined;
  /** The longest restart delay of a daemon that keeps dying, seconds. */
  readonly maxThrottle: number;
  /** The master stops gracefully when this daemon dies (uWSGI's control daemon). */
  readonly control: boolean;
}

/** The Emperor's own configuration (a config with `emperor`); built by emperor-config.ts. */
export interface EmperorConfig {
  /** Absolute path of the Emperor's ini, when one was given. */
  readonly iniFile: string | undefined;
  /** Absolute directories or globs of vassal files (a directory means its *.ini). */
  readonly patterns: readonly string[];
  /** Seconds between rescans (emperor-freq). */
  readonly freq: number;
  /** Throttle step and ceiling for failing vassals, ms. */
  readonly throttleMs: number;
  readonly maxThrottleMs: number;
  /** Run each vassal as its file's owner (root Emperor only). */
  readonly tyrant: boolean;
  readonly stats: SocketAddress | undefined;
  /** Mode of a unix-socket emperor-stats address. */
  readonly statsChmod: number;
  /** Absolute paths (FILE[:SECTION] as given, resolved) handed to every vassal as --include / --inherit. */
  readonly vassalsInclude: readonly string[];
  readonly vassalsInherit: readonly string[];
  readonly logto: string | undefined;
  readonly pidfile: string | undefined;
}

/** static-map / static-map2: requests whose PATH_INFO starts with `mount` are looked up under `dir`. */
export interface StaticMount {
  readonly mount: string;
  /** Absolute; a file as well as a directory (uWSGI serves that one file for the whole mount). */
  readonly dir: string;
}

/** static-expires*: Expires = now (or the file's mtime) + seconds, for what `pattern` matches. */
export interface ExpiresRule {
  /** A JavaScript regular expression (uWSGI's are PCRE; the common forms mean the same); a content type for the -type rules. */
  readonly pattern: string;
  readonly seconds: number;
}

/** static-map and its family (config/static-options.ts); served by server/static/. */
export interface StaticFilesConfig {
  readonly staticMap: readonly StaticMount[];
  readonly staticMap2: readonly StaticMount[];
  /** check-static / static-check directories: every GET and HEAD is looked up under them. */
  readonly staticCheck: readonly string[];
  readonly staticIndex: readonly string[];
  readonly staticSafe: readonly string[];
  readonly staticSkipExt: readonly string[];
  readonly staticExpires: readonly ExpiresRule[];
  readonly staticExpiresMtime: readonly ExpiresRule[];
  readonly staticExpiresUri: readonly ExpiresRule[];
  readonly staticExpiresUriMtime: readonly ExpiresRule[];
  readonly staticExpiresPathInfo: readonly ExpiresRule[];
  readonly staticExpiresPathInfoMtime: readonly ExpiresRule[];
  /** pattern: a content type (lower case). */
  readonly staticExpiresType: readonly ExpiresRule[];
  readonly staticExpiresTypeMtime: readonly ExpiresRule[];
  /** Accepted for uwsgi.ini compatibility; nothing to offload (see its help). */
  readonly offloadThreads: number;
}
