/**
 * Real uWSGI options that tsuwsgi does not implement. An existing uwsgi.ini that uses them
 * still starts (with a warning naming each one) unless `strict = true`, so a migration can
 * go option by option. Options in the option table must never be listed here; a test checks.
 */
const names = [
  // Python and plugins: meaningless for a Node.js server
  'plugins', 'plugin', 'need-plugin', 'need-plugins', 'plugins-dir', 'plugin-dir',
  'enable-threads', 'single-interpreter', 'py-autoreload', 'python-autoreload', 'py-tracebacker',
  'home', 'virtualenv', 'venv', 'pyhome', 'pythonpath', 'python-path', 'pp', 'wsgi',
  'wsgi-disable-file-wrapper', 'py-call-osafterfork', 'catch-exceptions', 'reload-os-env',
  // process model
  'lazy-apps', 'lazy', 'thunder-lock', 'cheaper-idle', 'idle', 'die-on-idle',
  'async', 'ugreen', 'gevent', 'cpu-affinity', 'mules', 'spooler',
  'threads-stacksize', 'thread-stacksize', 'forkbomb-delay', 'min-worker-lifetime', 'reload-mercy',
  'no-orphans', 'skip-atexit', 'reload-on-exception', 'daemonize',
  'daemonize2', 'unique-cron', 'cron2', 'legion-cron', 'farm', 'hook-master-start',
  'hook-pre-app', 'exec-pre-app', 'exec-as-root',
  // the Emperor (the options it implements are in the table)
  'emperor-nofollow', 'emperor-pidfile', 'emperor-procname', 'emperor-required-heartbeat', 'emperor-curse-tolerance',
  'emperor-tyrant-nofollow', 'emperor-tyrant-initgroups', 'emperor-on-demand-directory', 'emperor-on-demand-dir',
  'emperor-on-demand-extension', 'emperor-on-demand-ext', 'emperor-broodlord', 'emperor-wrapper', 'emperor-graceful-shutdown',
  'emperor-use-clone', 'emperor-subreaper', 'emperor-command-socket', 'emperor-trigger-socket', 'emperor-extra-extension',
  'emperor-no-blacklist', 'vassals-include-before', 'vassals-inherit-before', 'vassals-set', 'vassal-set',
  'vassals-start-hook', 'vassals-stop-hook', 'heartbeat',
  // recycling and timeouts
  'harakiri-verbose', 'harakiri-graceful-timeout', 'harakiri-graceful-signal',
  'max-worker-lifetime-delta', 'reload-on-as', 'evil-reload-on-rss', 'evil-reload-on-as', 'limit-as',
  'fs-reload',
  // control and metrics
  'stats-minified', 'stats-push', 'memory-report',
  'enable-metrics', 'carbon', 'subscribe-to',
  // privileges and isolation
  'umask', 'chroot', 'cap', 'procname', 'procname-prefix',
  'procname-prefix-spaced', 'procname-master', 'auto-procname',
  // sockets and protocols
  'http', 'https', 'https-socket', 'fastcgi-socket', 'shared-socket', 'protocol', 'reuse-port',
  'so-keepalive', 'enable-proxy-protocol', 'http-websockets', 'http-auto-chunked',
  'max-vars', 'close-on-exec', 'honour-stdin', 'max-fd',
  // request handling and routing
  'static-gzip', 'static-gzip-all', 'static-gzip-dir', 'static-gzip-ext', 'check-static-docroot', 'static-cache-paths',
  'mimefile', 'mime-file', 'file-serve-mode', 'fileserve-mode',
  'add-header', 'route', 'route-run', 'mount', 'manage-script-name', 'vhost', 'no-default-app',
  'ignore-sigpipe', 'ignore-write-errors', 'disable-write-exception', 'cache', 'cache2',
  // logging
  'log-date', 'logdate', 'log-maxsize', 'log-master',
  'logger', 'req-logger', 'log-micros', 'log-x-forwarded-for',
  'logto2', 'logfile-chown', 'logfile-chmod', 'threaded-logger', 'log-encoder', 'log-route',
  'touch-logrotate', 'touch-logreopen',
  // pidfiles and configuration logic
  'pidfile2', 'safe-pidfile', 'unenv', 'set-placeholder', 'set-ph',
  'xml', 'yaml', 'json', 'chdir2',
];

export const uwsgiOnlyOptions: ReadonlySet<string> = new Set(names);
