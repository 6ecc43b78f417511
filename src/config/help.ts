/** `tsuwsgi --help`, generated from the option table. */
import type { OptionSpec } from './options';
import { bySection, valueIsOptional } from './option-text';

const FLAG_COLUMN = 38;
const WIDTH = 100;

export function renderHelp(): string {
  const lines = [
    'Usage: tsuwsgi [FILE.ini[:SECTION]] [--OPTION VALUE ...]',
    '       tsuwsgi top STATS-ADDRESS [--sort w|p|r|a|m]   (live view of a running server)',
    '',
    'A uWSGI-style application server for Node.js apps. Every option works in the ini file',
    '(name = value, section [uwsgi] unless FILE.ini:SECTION) and on the command line',
    '(--name value). The command line wins; a repeatable option given there replaces the',
    "file's list instead of adding to it.",
  ];
  for (const { section, options } of bySection()) {
    lines.push('', `${section}:`, ...options.map(optionLine));
  }
  lines.push('', 'Other:', row('-h, --help', 'show this help'), row('-V, --version', 'print the version'), '');
  return lines.join('\n');
}

function optionLine(spec: OptionSpec): string {
  const value = valueIsOptional(spec) ? `[${spec.metavar}]` : spec.metavar;
  const flags = [spec.name, ...spec.aliases].map((n) => `--${n}`).join(', ');
  const notes = [
    spec.default !== undefined ? `default: ${spec.default}` : '',
    spec.repeatable ? 'repeatable' : '',
  ].filter((n) => n !== '');
  return row(`${flags} ${value}`, notes.length > 0 ? `${spec.help} (${notes.join('; ')})` : spec.help);
}

function row(flags: string, help: string): string {
  const left = `  ${flags}`;
  const indent = ' '.repeat(FLAG_COLUMN);
  const [first, ...rest] = wrap(help, WIDTH - FLAG_COLUMN);
  // A flag column too long for the alignment gets the help on its own line.
  const head = left.length >= FLAG_COLUMN ? `${left}\n${indent}${first}` : `${left.padEnd(FLAG_COLUMN)}${first}`;
  return [head, ...rest.map((line) => indent + line)].join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}
