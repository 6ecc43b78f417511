/**
 * The Expires header of a static file (static-expires*): rules compiled once per app thread,
 * checked in uWSGI's order: the file's real path, PATH_INFO, REQUEST_URI, then the content type;
 * within each, the `now + seconds` rules before the `mtime + seconds` ones. uWSGI adds one
 * Expires header per kind of rule that matches; a response carries one here, the first match's.
 */
import type { StaticFilesConfig } from '../../shared/config';
import type { ExpiresRule } from '../../shared/config';

interface Rule {
  readonly re: RegExp | undefined;
  /** For type rules: the content type, compared whole. */
  readonly type: string;
  readonly seconds: number;
  readonly fromMtime: boolean;
}

/** What a rule is matched against, for one file. */
export interface ExpiresSubject {
  readonly file: string;
  readonly pathInfo: string;
  readonly uri: string;
  /** Without parameters, lower case. */
  readonly type: string;
  readonly mtimeMs: number;
}

export class ExpiresRules {
  private readonly file: readonly Rule[];
  private readonly pathInfo: readonly Rule[];
  private readonly uri: readonly Rule[];
  private readonly type: readonly Rule[];

  constructor(config: StaticFilesConfig) {
    this.file = [...patterns(config.staticExpires, false), ...patterns(config.staticExpiresMtime, true)];
    this.pathInfo = [...patterns(config.staticExpiresPathInfo, false), ...patterns(config.staticExpiresPathInfoMtime, true)];
    this.uri = [...patterns(config.staticExpiresUri, false), ...patterns(config.staticExpiresUriMtime, true)];
    this.type = [...types(config.staticExpiresType, false), ...types(config.staticExpiresTypeMtime, true)];
  }

  get empty(): boolean {
    return this.file.length + this.pathInfo.length + this.uri.length + this.type.length === 0;
  }

  /** The header's value, or undefined when no rule matches. */
  header(subject: ExpiresSubject, nowMs: number): string | undefined {
    const rule =
      matching(this.file, subject.file) ?? matching(this.pathInfo, subject.pathInfo) ?? matching(this.uri, subject.uri) ?? this.type.find((r) => r.type === subject.type);
    if (rule === undefined) return undefined;
    // uWSGI counts whole seconds from the start of the request, or from the file's mtime.
    const base = rule.fromMtime ? subject.mtimeMs : nowMs;
    return new Date(Math.floor(base / 1000) * 1000 + rule.seconds * 1000).toUTCString();
  }
}

function matching(rules: readonly Rule[], text: string): Rule | undefined {
  return rules.find((r) => (r.re as RegExp).test(text));
}

function patterns(rules: readonly ExpiresRule[], fromMtime: boolean): Rule[] {
  return rules.map((r) => ({ re: new RegExp(r.pattern), type: '', seconds: r.seconds, fromMtime }));
}

function types(rules: readonly ExpiresRule[], fromMtime: boolean): Rule[] {
  return rules.map((r) => ({ re: undefined, type: r.pattern, seconds: r.seconds, fromMtime }));
}
