/** Wording shared by --help and docs/options.md, so the two describe options alike. */
import { OPTION_SECTIONS, optionTable, type OptionKind, type OptionSection, type OptionSpec } from './options';

export const KIND_TEXT: Record<OptionKind, string> = {
  string: 'text',
  path: 'a path; relative paths resolve against chdir, else the ini file\'s directory (the current directory for command-line values)',
  int: 'a whole number',
  'int-auto': 'a whole number, or auto',
  bool: 'true/false, yes/no, on/off or 1/0 (any case); no value means true',
  size: 'bytes; k, m and g suffixes multiply by 1024, 1024² and 1024³',
  address: '":PORT" (every interface), "HOST:PORT", "[IPv6]:PORT", or a unix socket path (anything with a "/" or without a ":")',
  mode: '3 octal digits such as 660; no value, true or 1 means 666',
  env: 'KEY=VALUE',
  module: 'a file path or a package name, optionally followed by :CALLABLE',
  user: 'a user name from /etc/passwd, or a numeric uid used as is',
  group: 'a group name from /etc/group, or a numeric gid used as is',
  owner: 'USER or USER:GROUP, each a name (from /etc/passwd, /etc/group) or a number',
  daemon: 'a shell command line',
  'smart-daemon': 'a pidfile path, optionally ",FREQ" (seconds), a space, then a shell command line',
  daemon2: 'comma-separated key=value pairs (\\, for a comma in a value)',
  mount: 'MOUNTPOINT=DIR: a URL path prefix starting with "/", "=", and a directory or file (relative: as for path)',
  expires: 'REGEXP SECONDS: a JavaScript regular expression, a space, and a number of seconds',
  'expires-type': 'TYPE=SECONDS: a content type such as text/css, "=", and a number of seconds',
  cron: 'five schedule fields, then a shell command; each field -1 or * (every), -N (values divisible by N, uWSGI), */N, A, A-B, A-B/N or a comma list; weekday 0-7 (0 and 7 are Sunday)',
};

/** `int 1..256`, `bool`, `address, repeatable`. */
export function kindSummary(spec: OptionSpec): string {
  let text: string = spec.kind;
  if (spec.min !== undefined && spec.max !== undefined) text += ` ${spec.min}..${spec.max}`;
  else if (spec.min !== undefined) text += ` ≥ ${spec.min}`;
  else if (spec.max !== undefined) text += ` ≤ ${spec.max}`;
  return spec.repeatable ? `${text}, repeatable` : text;
}

export function bySection(): { section: OptionSection; options: OptionSpec[] }[] {
  return OPTION_SECTIONS.map((section) => ({ section, options: optionTable.filter((o) => o.section === section) })).filter(
    (group) => group.options.length > 0,
  );
}

/** Bools, chmod-socket and the like may be given without a value. */
export function valueIsOptional(spec: OptionSpec): boolean {
  return spec.kind === 'bool' || spec.kind === 'mode';
}
