/** docs/options.md, rendered from the option table so that it cannot drift from the code. */
import type { OptionSpec } from './options';
import { bySection, KIND_TEXT, kindSummary } from './option-text';
import { uwsgiOnlyOptions } from './uwsgi-only-options';

export function renderOptionsDoc(): string {
  return [
    '# Options',
    '',
    '<!-- Generated from src/config/options.ts by `npm run docs`; do not edit. -->',
    '',
    ...INTRO,
    ...bySection().flatMap(({ section, options }) => [
      `## ${section}`,
      '',
      '| option | aliases | kind | default | description |',
      '|---|---|---|---|---|',
      ...options.map(optionRow),
      '',
    ]),
    ...kindsSection(),
    ...PLACEHOLDERS,
    ...unsupportedSection(),
  ].join('\n');
}

const INTRO = [
  'Every option works in the ini file (`name = value` in section `[uwsgi]`, or the section named',
  'by `tsuwsgi FILE.ini:SECTION`) and on the command line (`--name value`).',
  '',
  '- **Command line over file.** A value on the command line replaces the file\'s value. For a',
  '  repeatable option the command-line list *replaces* the file\'s list (so `--socket :9000`',
  '  moves the server rather than adding a socket); repeat the option to give several values.',
  '  Setting `wsgi-file` or `module` on the command line discards both from the file.',
  '- **Repeated keys.** A repeatable option given several times accumulates (several `env =`',
  '  lines). Any other option given twice in one source: the last value wins, as in uWSGI.',
  '- **Comments.** A line starting with `#` or `;` is a comment, and so is everything after a',
  '  `#` or `;` that follows whitespace (`socket = :8080   # uwsgi_pass`). A `#` or `;` inside a',
  '  value, such as a URL fragment, is kept. Quote a value (`"a # b"`) to keep `#` after a space.',
  '- **No value.** `vacuum =`, a bare `vacuum` line and `--vacuum` all mean true.',
  '- **Unknown keys** are errors, with the closest option name suggested, unless a `%(key)`',
  '  placeholder in the same section uses them (uWSGI-style custom placeholders).',
  '- **Errors** are one line naming the file (or "command line"), the key and the value.',
  '',
];

function optionRow(spec: OptionSpec): string {
  const cells = [
    `\`${spec.name}\``,
    spec.aliases.map((a) => `\`${a}\``).join(', '),
    kindSummary(spec),
    spec.default === undefined ? '' : `\`${spec.default}\``,
    spec.help,
  ];
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

function kindsSection(): string[] {
  return [
    '## Value kinds',
    '',
    '| kind | accepted values |',
    '|---|---|',
    ...Object.entries(KIND_TEXT).map(([kind, text]) => `| ${kind} | ${text.replace(/\|/g, '\\|')} |`),
    '',
  ];
}

const PLACEHOLDERS = [
  '## Placeholders (ini values only)',
  '',
  '| placeholder | expands to |',
  '|---|---|',
  '| `%d` | the ini file\'s directory, absolute, with a trailing `/` |',
  '| `%n` | the ini file\'s name without its extension |',
  '| `%s` | the ini file\'s name |',
  '| `%x` | the ini file\'s extension, without the dot |',
  '| `%p` | the ini file\'s absolute path |',
  '| `%c` | the name of the ini file\'s directory |',
  '| `%%` | a literal `%` |',
  '| `$(VAR)` | the environment variable VAR; empty when unset |',
  '| `%(key)` | the value of another key of the same section (the last one, if repeated) |',
  '',
  'Command-line values are not expanded: the shell has already done so.',
  '',
];

function unsupportedSection(): string[] {
  return [
    '## uWSGI options tsuwsgi does not implement',
    '',
    'These are accepted with a warning, so an existing uwsgi.ini starts; with `strict = true`',
    'each one is an error instead.',
    '',
    [...uwsgiOnlyOptions].sort().map((name) => `\`${name}\``).join(', '),
    '',
  ];
}
