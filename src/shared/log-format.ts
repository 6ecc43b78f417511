/**
 * `log-format`: uWSGI's `%(var)` request-log variables, compiled once at start into a function
 * that builds the line. `log-format = uwsgi` is uWSGI's own default request line.
 *
 * Every text a variable gives is escaped as nginx's access log does by default (`"`, `\`,
 * control and non-ASCII bytes as `\xHH`): URI, user agent, referer and host come from the
 * client, and a `\n` in one would otherwise forge a log line, an ESC drive the reader's terminal.
 */
import { escapeText } from './text-escape';

/** What a request line can show; collected once per logged request. */
export interface RequestLogFields {
  readonly method: string;
  readonly uri: string;
  readonly addr: string;
  readonly host: string;
  readonly proto: string;
  readonly status: number;
  /** Bytes sent, head included. */
  readonly size: number;
  readonly micros: number;
  readonly now: Date;
  readonly pid: number;
  readonly wid: number;
  readonly core: number;
  readonly uagent: string;
  readonly referer: string;
  /** uwsgi vars (or HTTP headers) received, and the packet's size. */
  readonly vars: number;
  readonly pktsize: number;
  /** Response headers sent, and the head's size in bytes. */
  readonly headers: number;
  readonly hsize: number;
  /** Requests this worker thread has served, this one included. */
  readonly requests: number;
}

/** uWSGI 2.0's default request line. */
export const UWSGI_FORMAT =
  '[pid: %(pid)|app: 0|req: %(requests)/%(requests)] %(addr) () {%(vars) vars in %(pktsize) bytes} [%(ctime)] ' +
  '%(method) %(uri) => generated %(size) bytes in %(msecs) msecs (%(proto) %(status)) %(headers) headers in %(hsize) bytes ' +
  '(1 switches on core %(core))';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** C's ctime() without its newline, in local time: "Wed Nov 25 08:21:19 2026". */
export function ctime(d: Date): string {
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

const VARIABLES: Record<string, (f: RequestLogFields) => string | number> = {
  uri: (f) => f.uri,
  method: (f) => f.method,
  addr: (f) => f.addr,
  host: (f) => f.host,
  proto: (f) => f.proto,
  status: (f) => f.status,
  size: (f) => f.size,
  rsize: (f) => f.size,
  msecs: (f) => Math.round(f.micros / 1000),
  micros: (f) => f.micros,
  time: (f) => Math.floor(f.now.getTime() / 1000),
  epoch: (f) => Math.floor(f.now.getTime() / 1000),
  ctime: (f) => ctime(f.now),
  pid: (f) => f.pid,
  wid: (f) => f.wid,
  core: (f) => f.core,
  uagent: (f) => f.uagent,
  referer: (f) => f.referer,
  vars: (f) => f.vars,
  pktsize: (f) => f.pktsize,
  headers: (f) => f.headers,
  hsize: (f) => f.hsize,
  requests: (f) => f.requests,
};

export const LOG_VARIABLES: readonly string[] = Object.keys(VARIABLES);

/** Throws naming the first unknown variable, so a typo is a start error, not a silent '-'. */
export function compileLogFormat(format: string): (f: RequestLogFields) => string {
  const text = format === 'uwsgi' ? UWSGI_FORMAT : format;
  const parts: (string | ((f: RequestLogFields) => string | number))[] = [];
  const re = /%\(([a-z0-9_]+)\)/gi;
  let at = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const fn = VARIABLES[m[1]];
    if (fn === undefined) throw new Error(`unknown variable %(${m[1]}); known: ${LOG_VARIABLES.join(' ')}`);
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(fn);
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return (f) => {
    let line = '';
    for (const p of parts) {
      if (typeof p === 'string') line += p;
      else {
        const v = p(f);
        line += typeof v === 'string' ? escapeText(v) : String(v);
      }
    }
    return line;
  };
}
