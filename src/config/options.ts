/**
 * The option table: every option tsuwsgi understands, declared once. The ini reader, the
 * command line, validation, `--help` and docs/options.md are all generated from these rows,
 * so an option cannot exist in one place and be missing from another. Over 300 lines on
 * purpose: a table, one row per option, read as a whole.
 */
import type { Config } from '../shared/config';
import { staticFileRows } from './static-options';

/**
 * How a value is read. Each kind has one parser in values.ts (address in address.ts,
 * module in app-target.ts).
 */
export type OptionKind =
  | 'string'
  | 'path'
  | 'int'
  /** An int, or `auto`: tsuwsgi chooses (the option's help says how). */
  | 'int-auto'
  | 'bool'
  | 'size'
  | 'address'
  | 'mode'
  | 'env'
  | 'module'
  | 'user'
  | 'group'
  | 'owner'
  | 'daemon'
  | 'smart-daemon'
  | 'daemon2'
  | 'mount'
  | 'expires'
  | 'expires-type'
  | 'cron';

export const OPTION_SECTIONS = ['Sockets', 'Processes', 'App', 'Static files', 'Limits', 'Logging', 'Lifecycle', 'Daemons', 'Mules and cron', 'Stats', 'Emperor', 'Configuration'] as const;
export type OptionSection = (typeof OPTION_SECTIONS)[number];

export interface OptionSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly kind: OptionKind;
  /** Repeated settings accumulate into a list instead of the last one winning. */
  readonly repeatable: boolean;
  /**
   * Written as a user would write it in the ini and parsed by the same code, so the documented
   * default and the applied default cannot disagree. Absent = unset (undefined, or [] when
   * repeatable).
   */
  readonly default?: string;
  readonly min?: number;
  readonly max?: number;
  /**
   * The Config field the parsed value lands in. Absent for `ini` (consumed by the loader) and
   * `module` (split into appFile / appPackage / callable).
   */
  readonly key?: keyof Config;
  readonly help: string;
  readonly section: OptionSection;
  /** Shown in --help and the docs as the value's placeholder. */
  readonly metavar: string;
}

const rows: OptionSpec[] = [
  // Sockets
  {
    name: 'socket', aliases: ['uwsgi-socket'], kind: 'address', repeatable: true, key: 'socket',
    section: 'Sockets', metavar: 'ADDRESS',
    help: 'uwsgi-protocol socket for nginx uwsgi_pass: ":8080", "127.0.0.1:9000", "[::1]:9000" or a unix socket path',
  },
  {
    name: 'http-socket', aliases: [], kind: 'address', repeatable: true, key: 'httpSocket',
    section: 'Sockets', metavar: 'ADDRESS',
    help: 'plain HTTP socket, same address forms as socket',
  },
  {
    name: 'chmod-socket', aliases: [], kind: 'mode', repeatable: false, key: 'chmodSocket',
    section: 'Sockets', metavar: 'MODE',
    help: 'mode of unix sockets: 3 octal digits such as 660; no value, true or 1 means 666; unset leaves it to the umask',
  },
  {
    name: 'chown-socket', aliases: [], kind: 'owner', repeatable: false, key: 'chownSocket',
    section: 'Sockets', metavar: 'USER[:GROUP]',
    help: "owner of unix sockets, set after bind and before the workers start (USER alone leaves the group as is); unset, they stay the master's, and workers running as uid still serve them since they inherit the open socket",
  },
  {
    name: 'listen', aliases: [], kind: 'int', repeatable: false, default: '1024', min: 1, key: 'listen',
    section: 'Sockets', metavar: 'N',
    help: 'listen queue (backlog) of every socket',
  },
  {
    name: 'no-defer-accept', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'noDeferAccept',
    section: 'Sockets', metavar: 'BOOL',
    help: "leave TCP_DEFER_ACCEPT off on TCP sockets (as uWSGI's). By default (Linux) the master sets it for socket-timeout seconds, so the kernel hands a connection to a worker only once its first bytes arrived: one wake-up per request instead of two. Node has no setsockopt: perl sets it at bind (perl-base is in every Debian/Ubuntu); without perl the master logs why and serves without it",
  },
  // Processes
  {
    name: 'processes', aliases: ['workers'], kind: 'int', repeatable: false, default: '1', min: 1, key: 'processes',
    section: 'Processes', metavar: 'N',
    help: 'number of worker processes',
  },
  {
    name: 'threads', aliases: [], kind: 'int', repeatable: false, default: '1', min: 1, max: 256, key: 'threads',
    section: 'Processes', metavar: 'N',
    help: 'app threads per worker process, each with its own copy of the app: the most a worker runs (threads-min start with it, the rest when the running ones are saturated)',
  },
  {
    name: 'threads-min', aliases: [], kind: 'int', repeatable: false, default: '1', min: 1, max: 256, key: 'threadsMin',
    section: 'Processes', metavar: 'N',
    help: "app threads each worker keeps running; the others (up to threads) start when every running one is blocked or busy on a CPU with requests, and retire after threads-idle seconds unneeded. With 1, app thread 0 runs on the worker's main thread and costs what threads = 1 costs; above 1, the main thread supervises (threads-min = threads: every thread, always)",
  },
  {
    name: 'threads-idle', aliases: [], kind: 'int', repeatable: false, default: '15', min: 1, key: 'threadsIdle',
    section: 'Processes', metavar: 'SECONDS',
    help: 'seconds an app thread started on demand must be unneeded before it retires (it finishes its requests first)',
  },
  {
    name: 'node-args', aliases: ['node-options'], kind: 'string', repeatable: true, key: 'nodeArgs',
    section: 'Processes', metavar: 'ARGS',
    help: "Node.js options for every worker and mule process, split on spaces (PM2's node_args), e.g. --max-old-space-size=512; they come after tsuwsgi's own, so they win",
  },
  {
    name: 'max-semi-space-size', aliases: [], kind: 'int-auto', repeatable: false, default: 'auto', min: 0, max: 1024, key: 'maxSemiSpaceSize',
    section: 'Processes', metavar: 'MB',
    help: "V8's young-generation semi-space for every worker and mule process and app thread (0: Node's own default, 16 MB and more on 64-bit): the heap an app server's short-lived objects churn through. auto: 4 for workers on Node 22 and later with idle-gc on (its idle collection gives the young generation back), 1 otherwise (Node 20 keeps it until V8's memory reducer runs; mules do not collect when idle)",
  },
  {
    name: 'idle-gc', aliases: [], kind: 'int', repeatable: false, default: '30', min: 0, max: 3600, key: 'idleGc',
    section: 'Processes', metavar: 'SECONDS',
    help: 'seconds without a new request after which an app thread runs one memory-reducing garbage collection (once after the app loaded, then once per idle period whose heap grew by 1 MB), and the master once after it is ready or reloaded: what requests and loading left in the old generation goes back to the system (0: never). The collection also drops what V8 learnt of the request path, so the next burst runs colder for a second or two: a shorter delay gives memory back sooner and makes bursts further apart than it pay that',
  },
  {
    name: 'accepting-workers', aliases: [], kind: 'int-auto', repeatable: false, default: 'auto', min: 0, max: 65535, key: 'acceptingWorkers',
    section: 'Processes', metavar: 'N',
    help: "how many workers keep accepting connections while none of them is saturated; the other workers accept only while all of those are saturated (their event loop busy 90 % of the last 200 ms without waiting a quarter of it for a CPU, or blocked as long) or serving long requests (1 ms or more of loop time each, at 10 or more a second; then for 3 s), so idle workers are not woken for every connection only to find it taken (the thundering herd). auto: the CPUs the master may run on (within its cgroup's CPU quota, a container's --cpus) when processes is above them, otherwise 1; 0: every worker always accepts. Applies with a fixed number of processes (not with cheaper, which sizes the workers itself) and with threads-min = 1",
  },
  {
    name: 'cheaper', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'cheaper',
    section: 'Processes', metavar: 'N',
    help: "adaptive workers (uWSGI's cheaper): keep at least N workers and scale up to processes with the load (0: always processes workers); must be below processes",
  },
  {
    name: 'cheaper-initial', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'cheaperInitial',
    section: 'Processes', metavar: 'N',
    help: 'workers started at first (default: cheaper; kept within cheaper..processes)',
  },
  {
    name: 'cheaper-step', aliases: [], kind: 'int', repeatable: false, default: '1', min: 1, key: 'cheaperStep',
    section: 'Processes', metavar: 'N',
    help: 'workers added at once when the algorithm asks for more',
  },
  {
    name: 'cheaper-overload', aliases: [], kind: 'int', repeatable: false, default: '3', min: 1, key: 'cheaperOverload',
    section: 'Processes', metavar: 'N',
    help: 'spare: seconds of every worker busy before adding (and between removals); backlog: the listen queue length above which workers are added (below it, one is removed per second); busyness: the seconds each busyness figure covers',
  },
  {
    name: 'cheaper-algo', aliases: [], kind: 'string', repeatable: false, default: 'spare', key: 'cheaperAlgo',
    section: 'Processes', metavar: 'NAME',
    help: 'how the worker count follows the load: spare (add when every worker is busy, remove when idle), backlog (follow the listen queue), busyness (follow the share of time workers are busy), manual (only SIGTTIN/SIGTTOU and fifo +/-)',
  },
  {
    name: 'cheaper-rss-limit-soft', aliases: [], kind: 'size', repeatable: false, default: '0', min: 0, key: 'cheaperRssLimitSoft',
    section: 'Processes', metavar: 'BYTES',
    help: "add no worker while the workers' total resident memory is at or above this (0: no limit)",
  },
  {
    name: 'cheaper-rss-limit-hard', aliases: [], kind: 'size', repeatable: false, default: '0', min: 0, key: 'cheaperRssLimitHard',
    section: 'Processes', metavar: 'BYTES',
    help: "remove a worker (keeping at least one) while the workers' total resident memory is at or above this; needs cheaper-rss-limit-soft, and must be above it (0: no limit)",
  },
  {
    name: 'cheaper-busyness-max', aliases: [], kind: 'int', repeatable: false, default: '50', min: 0, max: 100, key: 'cheaperBusynessMax',
    section: 'Processes', metavar: 'PERCENT',
    help: 'busyness: add workers when the average busyness is above this',
  },
  {
    name: 'cheaper-busyness-min', aliases: [], kind: 'int', repeatable: false, default: '25', min: 0, max: 100, key: 'cheaperBusynessMin',
    section: 'Processes', metavar: 'PERCENT',
    help: 'busyness: remove a worker when the average busyness stays below this',
  },
  {
    name: 'cheaper-busyness-multiplier', aliases: [], kind: 'int', repeatable: false, default: '10', min: 1, key: 'cheaperBusynessMultiplier',
    section: 'Processes', metavar: 'N',
    help: 'busyness: workers must be idle for cheaper-overload x N seconds before one is removed',
  },
  {
    name: 'cheaper-busyness-penalty', aliases: [], kind: 'int', repeatable: false, default: '2', min: 1, key: 'cheaperBusynessPenalty',
    section: 'Processes', metavar: 'N',
    help: 'busyness: added to the multiplier when a removed worker had to be started again soon after',
  },
  {
    name: 'cheaper-busyness-backlog-alert', aliases: [], kind: 'int', repeatable: false, default: '33', min: 0, key: 'cheaperBusynessBacklogAlert',
    section: 'Processes', metavar: 'N',
    help: 'busyness: start emergency workers when the listen queue is longer than this',
  },
  {
    name: 'cheaper-busyness-backlog-multiplier', aliases: [], kind: 'int', repeatable: false, default: '3', min: 1, key: 'cheaperBusynessBacklogMultiplier',
    section: 'Processes', metavar: 'N',
    help: 'busyness: the multiplier while emergency workers run (they are removed sooner)',
  },
  {
    name: 'cheaper-busyness-backlog-step', aliases: [], kind: 'int', repeatable: false, default: '1', min: 1, key: 'cheaperBusynessBacklogStep',
    section: 'Processes', metavar: 'N',
    help: 'busyness: emergency workers started at once',
  },
  {
    name: 'cheaper-busyness-backlog-nonzero', aliases: [], kind: 'int', repeatable: false, default: '60', min: 1, key: 'cheaperBusynessBacklogNonzero',
    section: 'Processes', metavar: 'SECONDS',
    help: 'busyness: start an emergency worker when the listen queue has not been empty for this long',
  },
  {
    name: 'cheaper-busyness-verbose', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'cheaperBusynessVerbose',
    section: 'Processes', metavar: 'BOOL',
    help: 'busyness: log every figure, not only decisions',
  },
  {
    name: 'uid', aliases: [], kind: 'user', repeatable: false, key: 'uid',
    section: 'Processes', metavar: 'USER',
    help: 'run the workers as this user (a name or a number); the master must be root: it binds the sockets, creates its files, then becomes this user too (unless master-as-root)',
  },
  {
    name: 'gid', aliases: [], kind: 'group', repeatable: false, key: 'gid',
    section: 'Processes', metavar: 'GROUP',
    help: "run the workers with this group (a name or a number); default: uid's primary group when uid is set (uWSGI would keep root's). Supplementary groups are always dropped",
  },
  {
    name: 'master-as-root', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'masterAsRoot',
    section: 'Processes', metavar: 'BOOL',
    help: 'with uid/gid, keep the master root after start (uWSGI\'s option): it can then recreate root-owned log files, vacuum root-owned directories and re-read a root-only ini, and the app cannot signal it; by default it becomes the uid/gid once its sockets and files exist',
  },
  {
    name: 'allow-writable-dirs', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'allowWritableDirs',
    section: 'Processes', metavar: 'BOOL',
    help: "accept logto and pidfile paths whose directories the workers' user can change while a root master writes there (refused by default: the app could point the master at another file through a link)",
  },
  {
    name: 'master', aliases: [], kind: 'bool', repeatable: false, default: 'true', key: 'master',
    section: 'Processes', metavar: 'BOOL',
    help: 'accepted for uwsgi.ini compatibility: tsuwsgi always runs a master, so false changes nothing',
  },
  // App
  {
    name: 'wsgi-file', aliases: ['file'], kind: 'path', repeatable: false, key: 'appFile',
    section: 'App', metavar: 'FILE',
    help: 'the app module file (.js, .mjs, .cjs)',
  },
  {
    name: 'module', aliases: [], kind: 'module', repeatable: false,
    section: 'App', metavar: 'MODULE[:CALLABLE]',
    help: 'the app as "path/to/app.js:callable" or "package:callable"; an explicit callable option wins',
  },
  {
    name: 'callable', aliases: [], kind: 'string', repeatable: false, key: 'callable',
    section: 'App', metavar: 'NAME',
    help: 'the export to serve; default: application, then the default export, then module.exports',
  },
  {
    name: 'chdir', aliases: [], kind: 'path', repeatable: false, key: 'chdir',
    section: 'App', metavar: 'DIR',
    help: "working directory of the workers (if relative: to the ini file's directory); other relative paths resolve against it",
  },
  {
    name: 'env', aliases: [], kind: 'env', repeatable: true, key: 'env',
    section: 'App', metavar: 'KEY=VALUE',
    help: 'environment variable set in every worker',
  },
  {
    name: 'need-app', aliases: [], kind: 'bool', repeatable: false, default: 'true', key: 'needApp',
    section: 'App', metavar: 'BOOL',
    help: 'stop the server when the app cannot be loaded, instead of answering 503',
  },
  ...staticFileRows,
  // Limits
  {
    name: 'buffer-size', aliases: [], kind: 'int', repeatable: false, default: '4096', min: 1, max: 65535, key: 'bufferSize',
    section: 'Limits', metavar: 'BYTES',
    help: 'largest request head accepted, larger gets 431: the uwsgi vars block on socket; on http-socket the URL plus every header name and value (Node counts no separators)',
  },
  {
    name: 'limit-post', aliases: [], kind: 'size', repeatable: false, default: '0', key: 'limitPost',
    section: 'Limits', metavar: 'SIZE',
    help: 'largest request body in bytes (k, m, g suffixes allowed); larger gets 413; 0 = no limit',
  },
  {
    name: 'post-buffering', aliases: [], kind: 'size', repeatable: false, default: '0', key: 'postBuffering',
    section: 'Limits', metavar: 'SIZE',
    help: "read every request body whole before the app is called (as uWSGI's): a body under SIZE bytes in memory, one of SIZE or more (or a chunked one once it reaches SIZE) in a temp file (post-buffering-dir), removed after the request; so an app that streams its body into its response cannot deadlock with nginx. limit-post applies first; 0 = off, the body streams to the app as it arrives",
  },
  {
    name: 'post-buffering-bufsize', aliases: [], kind: 'size', repeatable: false, default: '64k', min: 1, key: 'postBufferingBufsize',
    section: 'Limits', metavar: 'SIZE',
    help: "with post-buffering, the bytes gathered before each write to the temp file, and read by each read from it (uWSGI's is its read() size, 8k by default; Node reads a socket up to 64 KiB at a time, so 64k makes about one write per read)",
  },
  {
    name: 'post-buffering-dir', aliases: [], kind: 'path', repeatable: false, key: 'postBufferingDir',
    section: 'Limits', metavar: 'DIR',
    help: "where post-buffering's temp files go (tsuwsgi's; uWSGI always uses TMPDIR); unset: the worker's TMPDIR, else /tmp. Each file is created 0600 and unnamed (O_TMPFILE; else O_EXCL and unlinked at once), so it never outlives its request",
  },
  {
    name: 'socket-timeout', aliases: [], kind: 'int', repeatable: false, default: '4', min: 1, key: 'socketTimeout',
    section: 'Limits', metavar: 'SECONDS',
    help: "the longest wait for the peer on a connection (as uWSGI's): the next bytes of a request, or the peer taking response bytes; a uwsgi request head must arrive whole within it. Never bounds the app's own time (harakiri does)",
  },
  {
    name: 'http-timeout', aliases: [], kind: 'int', repeatable: false, default: '60', min: 1, key: 'httpTimeout',
    section: 'Limits', metavar: 'SECONDS',
    help: 'the longest a request (head and body) may take to arrive, on every socket kind; past it the connection is closed (on http-socket with a 408 when no response has started)',
  },
  {
    name: 'http-keepalive', aliases: [], kind: 'int', repeatable: false, default: '75', min: 0, key: 'httpKeepalive',
    section: 'Limits', metavar: 'SECONDS',
    help: 'how long an idle keep-alive connection on http-socket stays open between requests (0: no keep-alive, every response closes its connection); keep it above the front end\'s idle timeout (nginx upstream keepalive_timeout: 60 s) so that the front end always closes first',
  },
  // Logging
  {
    name: 'logto', aliases: [], kind: 'path', repeatable: false, key: 'logto',
    section: 'Logging', metavar: 'FILE',
    help: 'write the log to this file instead of stdout',
  },
  {
    name: 'disable-logging', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'disableLogging',
    section: 'Logging', metavar: 'BOOL',
    help: 'do not log one line per request (lifecycle events are still logged)',
  },
  // Lifecycle
  {
    name: 'log-format', aliases: ['logformat'], kind: 'string', repeatable: false, key: 'logFormat',
    section: 'Logging', metavar: 'FORMAT',
    help: 'write request lines as plain text with uWSGI\'s %(var) variables (uri method addr host proto status size msecs micros time ctime epoch pid wid uagent referer vars pktsize headers hsize core requests); "uwsgi" gives uWSGI\'s default line. Unset: one JSON line per request',
  },
  {
    name: 'log-4xx', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'log4xx',
    section: 'Logging', metavar: 'BOOL',
    help: 'with disable-logging, still log requests answered with a 4xx status',
  },
  {
    name: 'log-5xx', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'log5xx',
    section: 'Logging', metavar: 'BOOL',
    help: 'with disable-logging, still log requests answered with a 5xx status',
  },
  {
    name: 'log-slow', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'logSlow',
    section: 'Logging', metavar: 'MS',
    help: 'with disable-logging, still log requests that took at least this many milliseconds (0: off)',
  },
  {
    name: 'log-reopen', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'logReopen',
    section: 'Logging', metavar: 'BOOL',
    help: 'also reopen the logto file on every reload (SIGHUP, fifo r/w/c, touch-reload); SIGUSR2 and fifo l always reopen it',
  },
  {
    name: 'pidfile', aliases: [], kind: 'path', repeatable: false, key: 'pidfile',
    section: 'Lifecycle', metavar: 'FILE',
    help: "write the master's pid to this file",
  },
  {
    name: 'vacuum', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'vacuum',
    section: 'Lifecycle', metavar: 'BOOL',
    help: 'remove unix socket files and the pidfile on exit',
  },
  {
    name: 'die-on-term', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'dieOnTerm',
    section: 'Lifecycle', metavar: 'BOOL',
    help: 'accepted for compatibility: SIGTERM is always a graceful stop in tsuwsgi',
  },
  {
    name: 'worker-reload-mercy', aliases: [], kind: 'int', repeatable: false, default: '60', min: 0, key: 'workerReloadMercy',
    section: 'Lifecycle', metavar: 'SECONDS',
    help: 'how long a stopping worker may drain its requests before it is killed',
  },
  {
    name: 'harakiri', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'harakiri',
    section: 'Lifecycle', metavar: 'SECONDS',
    help: 'stop a request that runs longer than this (0: never): nginx gets a 504 when nothing was sent yet; an app thread stuck in synchronous code is terminated and replaced (threads > 1), or its worker process is (threads = 1)',
  },
  {
    name: 'max-requests', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'maxRequests',
    section: 'Lifecycle', metavar: 'N',
    help: 'recycle a worker after it served N requests (0: never): a replacement starts, and the old worker drains and exits once the replacement accepts',
  },
  {
    name: 'max-requests-delta', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'maxRequestsDelta',
    section: 'Lifecycle', metavar: 'N',
    help: 'worker K recycles after max-requests + (K - 1) x N requests, so the workers do not all recycle at once',
  },
  {
    name: 'reload-on-rss', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'reloadOnRss',
    section: 'Lifecycle', metavar: 'MB',
    help: 'recycle a worker whose resident memory is above this many megabytes after a request (0: never)',
  },
  {
    name: 'max-worker-lifetime', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'maxWorkerLifetime',
    section: 'Lifecycle', metavar: 'SECONDS',
    help: 'recycle a worker after it has run this long (0: never)',
  },
  {
    name: 'touch-reload', aliases: [], kind: 'path', repeatable: true, key: 'touchReload',
    section: 'Lifecycle', metavar: 'FILE',
    help: 'gracefully reload every worker when this file\'s mtime changes (checked every second)',
  },
  {
    name: 'touch-chain-reload', aliases: [], kind: 'path', repeatable: true, key: 'touchChainReload',
    section: 'Lifecycle', metavar: 'FILE',
    help: 'chain-reload the workers (one at a time, each replacement accepting before the next old worker stops) when this file\'s mtime changes',
  },
  {
    name: 'master-fifo', aliases: [], kind: 'path', repeatable: false, key: 'masterFifo',
    section: 'Lifecycle', metavar: 'PATH',
    help: 'a FIFO the master creates and reads one-letter commands from: r reload (re-reading the ini), w reload the workers, c chain reload, q graceful stop, Q immediate stop, + one worker more, - one less, s workers to the log',
  },
  // Stats
  {
    name: 'stats', aliases: ['stats-server'], kind: 'address', repeatable: false, key: 'stats',
    section: 'Stats', metavar: 'ADDRESS',
    help: "serve the stats document (uWSGI 2.0's JSON, which uwsgitop and `tsuwsgi top` read) on this TCP address or unix socket path: one document per connection, then close. \":9191\" listens on every interface, as in uWSGI: prefer 127.0.0.1:9191 or a unix socket (stats-chmod)",
  },
  {
    name: 'stats-http', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'statsHttp',
    section: 'Stats', metavar: 'BOOL',
    help: 'speak HTTP on the stats address: GET / gives the JSON document, GET /metrics Prometheus text',
  },
  {
    name: 'stats-vars', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'statsVars',
    section: 'Stats', metavar: 'BOOL',
    help: "show a running request's query string in the stats document and `tsuwsgi top` (REQUEST_URI whole); off, they show its method and path only. Request headers and cookies are never shown",
  },
  {
    name: 'stats-chmod', aliases: [], kind: 'mode', repeatable: false, default: '600', key: 'statsChmod',
    section: 'Stats', metavar: 'MODE',
    help: "mode of a unix-socket stats address (its owner is the master's user at start: root when started as root); a TCP address has no such protection, any local user can read it",
  },
  // Daemons: src/master/daemons/ runs them; daemon-spec.ts parses the three forms.
  {
    name: 'attach-daemon', aliases: [], kind: 'daemon', repeatable: true, key: 'attachDaemon',
    section: 'Daemons', metavar: 'COMMAND',
    help: "run COMMAND (with /bin/sh -c) beside the workers, with the app's env, uid/gid and chdir; started again when it exits (a command that keeps dying waits 1 s more each time, up to 300 s), stopped (SIGTERM to its process group, SIGKILL after worker-reload-mercy) and started again on a reload, stopped when the master stops. It must not go to the background",
  },
  {
    name: 'smart-attach-daemon', aliases: [], kind: 'smart-daemon', repeatable: true, key: 'smartAttachDaemon',
    section: 'Daemons', metavar: 'PIDFILE[,FREQ] COMMAND',
    help: 'a daemon that writes its own pidfile: started only when PIDFILE names no live process (checked every second; a new start gets FREQ seconds, default 10, to write it), started again when that process is gone; it keeps running through reloads and when the master stops, and the next master adopts it',
  },
  {
    name: 'attach-daemon2', aliases: [], kind: 'daemon2', repeatable: true, key: 'attachDaemon2',
    section: 'Daemons', metavar: 'KEY=VALUE,...',
    help: 'a daemon in key=value form (commas separate pairs, \\, is a comma in a value): cmd (or command, exec; required), pidfile (a smart daemon), freq, stopsignal, reloadsignal (sent on a reload instead of a restart), touch (files separated by ;, whose change sends stopsignal), chdir, max_throttle (seconds), control (the master stops when it dies); signals by name or number',
  },
  // Emperor: read by emperor-config.ts (no Config key); `emperor` makes the config an Emperor's.
  {
    name: 'emperor', aliases: [], kind: 'path', repeatable: true,
    section: 'Emperor', metavar: 'DIR_OR_GLOB',
    help: "run as the Emperor: start one vassal (a whole tsuwsgi master) per ini file matching this directory (its *.ini) or glob (wildcards * ? [..] in the file name or in directory names), reload a vassal when its file's mtime changes, stop it when the file goes",
  },
  {
    name: 'emperor-freq', aliases: [], kind: 'int', repeatable: false, default: '3', min: 1,
    section: 'Emperor', metavar: 'SECONDS',
    help: 'how often the Emperor rescans the vassal files as a safety net; changes are normally seen at once (inotify)',
  },
  {
    name: 'emperor-throttle', aliases: [], kind: 'int', repeatable: false, default: '1000', min: 1,
    section: 'Emperor', metavar: 'MS',
    help: "delay added before each new start of a vassal that keeps dying without having served for 10 s after its READY: 1x, 2x, 3x ... this value (uWSGI's blacklist)",
  },
  {
    name: 'emperor-max-throttle', aliases: [], kind: 'int', repeatable: false, default: '180000', min: 1,
    section: 'Emperor', metavar: 'MS',
    help: 'the longest the Emperor waits before starting a failing vassal again',
  },
  {
    name: 'emperor-tyrant', aliases: [], kind: 'bool', repeatable: false, default: 'false',
    section: 'Emperor', metavar: 'BOOL',
    help: "the Emperor (root) runs each vassal as the owner and group of its file; a file owned by root runs as root and applies its own uid/gid. Without it a root Emperor refuses vassal files not owned by root",
  },
  {
    name: 'emperor-stats', aliases: ['emperor-stats-server'], kind: 'address', repeatable: false,
    section: 'Emperor', metavar: 'ADDRESS',
    help: "serve the Emperor's JSON document (each vassal's state, pid, starts, last exit, stats address) on this TCP address or unix socket path (mode: stats-chmod); `tsuwsgi top ADDRESS` shows it",
  },
  {
    name: 'vassals-include', aliases: [], kind: 'path', repeatable: true,
    section: 'Emperor', metavar: 'FILE',
    help: "an ini every vassal reads as if its lines came first in the vassal's own file: the vassal's settings win, repeatable ones add up; %n, %d ... name the vassal's file (started as --include FILE)",
  },
  {
    name: 'vassals-inherit', aliases: [], kind: 'path', repeatable: true,
    section: 'Emperor', metavar: 'FILE',
    help: "an ini of defaults for every vassal: any option the vassal sets, repeatable or not, replaces the inherited one; %n, %d ... name the vassal's file (started as --inherit FILE)",
  },
  // Mules and cron
  {
    name: 'mule', aliases: [], kind: 'module', repeatable: true, key: 'mules',
    section: 'Mules and cron', metavar: 'FILE[:FUNCTION]',
    help: "start a mule: a process with no socket that runs this module's exported function (FUNCTION, else the `mule` export, else the default export) and gets the messages apps send with `mules.send(n, message)`; one line per mule, numbered from 1 in order. Respawned when it dies, restarted on a reload, drained on stop (worker-reload-mercy)",
  },
  {
    name: 'mule-msg-size', aliases: [], kind: 'size', repeatable: false, default: '64k', min: 16, max: 16 * 1024 * 1024, key: 'muleMsgSize',
    section: 'Mules and cron', metavar: 'SIZE',
    help: 'largest mule message, in bytes of its JSON text; mules.send() refuses a larger one',
  },
  {
    name: 'mule-queue', aliases: [], kind: 'int', repeatable: false, default: '1000', min: 1, max: 1000000, key: 'muleQueue',
    section: 'Mules and cron', metavar: 'N',
    help: 'messages the master holds for one mule that has not taken them yet (it is busy, restarting or down); past it mules.send() rejects with E_MULE_QUEUE_FULL',
  },
  {
    name: 'cron', aliases: [], kind: 'cron', repeatable: true, key: 'cron',
    section: 'Mules and cron', metavar: 'MIN HOUR DAY MONTH WEEKDAY COMMAND',
    help: "run COMMAND (with /bin/sh, as the workers' user, with their env and chdir) from the master on this schedule: uWSGI's -1 (every) and -N (every N), or crontab's *, */N, lists and ranges; local time. A run still going when the next one is due makes that one skip (logged); on stop a running command gets SIGTERM, then SIGKILL after worker-reload-mercy",
  },
  // Configuration
  {
    name: 'ini', aliases: [], kind: 'path', repeatable: false,
    section: 'Configuration', metavar: 'FILE[:SECTION]',
    help: 'read this ini file (section [uwsgi] unless FILE:SECTION); command-line only',
  },
  {
    name: 'include', aliases: [], kind: 'path', repeatable: true,
    section: 'Configuration', metavar: 'FILE[:SECTION]',
    help: "read this ini's section as if its lines came first in the main ini: single-value options the main ini sets win, repeatable ones add up; %n, %d ... name the main ini; command-line only (vassals-include uses it)",
  },
  {
    name: 'inherit', aliases: [], kind: 'path', repeatable: true,
    section: 'Configuration', metavar: 'FILE[:SECTION]',
    help: "take this ini's settings as defaults: an option set by the main ini, an --include or the command line replaces it, lists included; %n, %d ... name the main ini; command-line only (vassals-inherit uses it)",
  },
  {
    name: 'strict', aliases: [], kind: 'bool', repeatable: false, default: 'false', key: 'strict',
    section: 'Configuration', metavar: 'BOOL',
    help: 'make uWSGI options tsuwsgi does not implement errors instead of warnings',
  },
];

export const optionTable: readonly OptionSpec[] = Object.freeze(
  rows.map((spec) => Object.freeze({ ...spec, aliases: Object.freeze([...spec.aliases]) })),
);

const byName = new Map<string, OptionSpec>();
for (const spec of optionTable) {
  for (const name of [spec.name, ...spec.aliases]) byName.set(name, spec);
}

/** The option a name or alias belongs to. */
export function findOption(name: string): OptionSpec | undefined {
  return byName.get(name);
}

/** Every name and alias, for suggestions and --help. */
export function allOptionNames(): string[] {
  return [...byName.keys()];
}
