/**
 * The option table's rows for static files (uWSGI's static-map family), kept apart from
 * options.ts because there are many of them and they belong together. Their meaning is
 * uWSGI's (core/protocol.c, core/static.c); where tsuwsgi differs, the help says so.
 */
import type { OptionSpec } from './options';

const expiresRows = (
  [
    ['static-expires', 'the real path of the file'],
    ['static-expires-uri', 'REQUEST_URI (path and query as the client sent them)'],
    ['static-expires-path-info', 'PATH_INFO (the decoded path)'],
  ] as const
).flatMap(([name, what]): OptionSpec[] => [
  {
    name, aliases: [], kind: 'expires', repeatable: true, key: camel(name),
    section: 'Static files', metavar: 'REGEXP SECONDS',
    help: `a static file whose ${what} matches REGEXP gets Expires: now + SECONDS`,
  },
  {
    name: `${name}-mtime`, aliases: [], kind: 'expires', repeatable: true, key: camel(`${name}-mtime`),
    section: 'Static files', metavar: 'REGEXP SECONDS',
    help: `a static file whose ${what} matches REGEXP gets Expires: its mtime + SECONDS`,
  },
]);

export const staticFileRows: readonly OptionSpec[] = [
  {
    name: 'static-map', aliases: [], kind: 'mount', repeatable: true, key: 'staticMap',
    section: 'Static files', metavar: 'MOUNT=DIR',
    help: 'serve a GET or HEAD whose PATH_INFO starts with MOUNT from DIR (the rest of the path under DIR; DIR may be one file), before the app runs; a file that is not there goes to the app. As in uWSGI MOUNT is a plain prefix (/static also maps /staticfoo to DIR/foo)',
  },
  {
    name: 'static-map2', aliases: [], kind: 'mount', repeatable: true, key: 'staticMap2',
    section: 'Static files', metavar: 'MOUNT=DIR',
    help: 'like static-map, but the whole PATH_INFO is looked up under DIR (/static/app.css → DIR/static/app.css)',
  },
  {
    name: 'static-check', aliases: ['check-static'], kind: 'path', repeatable: true, key: 'staticCheck',
    section: 'Static files', metavar: 'DIR',
    help: 'look up every GET and HEAD under DIR (DIR + PATH_INFO) before the app runs; unlike static-map this costs a file-system lookup per request',
  },
  {
    name: 'static-index', aliases: [], kind: 'string', repeatable: true, key: 'staticIndex',
    section: 'Static files', metavar: 'FILE',
    help: 'the file served for a directory, such as index.html (tried in the order given); without one a directory goes to the app',
  },
  {
    name: 'static-safe', aliases: [], kind: 'path', repeatable: true, key: 'staticSafe',
    section: 'Static files', metavar: 'DIR',
    help: 'a directory a symlink inside a static directory may lead to; any other path that resolves outside the static directory is never served',
  },
  {
    name: 'static-skip-ext', aliases: [], kind: 'string', repeatable: true, key: 'staticSkipExt',
    section: 'Static files', metavar: 'SUFFIX',
    help: 'a PATH_INFO ending with SUFFIX (such as .php) is never looked up as a static file',
  },
  ...expiresRows,
  {
    name: 'static-expires-type', aliases: [], kind: 'expires-type', repeatable: true, key: 'staticExpiresType',
    section: 'Static files', metavar: 'TYPE=SECONDS',
    help: 'a static file of this content type (text/css) gets Expires: now + SECONDS',
  },
  {
    name: 'static-expires-type-mtime', aliases: [], kind: 'expires-type', repeatable: true, key: 'staticExpiresTypeMtime',
    section: 'Static files', metavar: 'TYPE=SECONDS',
    help: 'a static file of this content type gets Expires: its mtime + SECONDS',
  },
  {
    name: 'offload-threads', aliases: [], kind: 'int', repeatable: false, default: '0', min: 0, key: 'offloadThreads',
    section: 'Static files', metavar: 'N',
    help: "accepted for uwsgi.ini compatibility, no effect: uWSGI's offload threads free a worker from sending a file; an app thread never waits on one (libuv reads the file on its thread pool, the event loop writes it)",
  },
];

function camel(name: string): OptionSpec['key'] {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as OptionSpec['key'];
}
