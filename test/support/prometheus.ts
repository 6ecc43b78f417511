/**
 * A strict parser of Prometheus text exposition (0.0.4), stricter than a scraper needs to be:
 * every family has HELP then TYPE before its samples, names and labels are well-formed, no
 * label set repeats, counters are not negative, and histograms have cumulative buckets ending
 * in +Inf equal to _count, plus _sum. Any violation throws with the line number.
 */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: PromSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheus(text: string): Map<string, PromFamily> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const seen = new Set<string>();
  let help: { name: string; text: string } | undefined;
  let current: PromFamily | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    const at = `line ${i + 1} (${JSON.stringify(line)})`;
    if (line === '') throw new Error(`${at}: empty line`);
    if (line.startsWith('# HELP ')) {
      const m = /^# HELP (\S+) (.+)$/.exec(line);
      if (!m || !NAME.test(m[1])) throw new Error(`${at}: malformed HELP`);
      if (families.has(m[1])) throw new Error(`${at}: family ${m[1]} declared twice`);
      help = { name: m[1], text: m[2] };
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const m = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (!m || !TYPES.has(m[2])) throw new Error(`${at}: malformed TYPE`);
      if (help === undefined || help.name !== m[1]) throw new Error(`${at}: TYPE without a HELP for ${m[1]} right before it`);
      current = { name: m[1], help: help.text, type: m[2] as PromFamily['type'], samples: [] };
      families.set(m[1], current);
      help = undefined;
      return;
    }
    if (line.startsWith('#')) throw new Error(`${at}: unexpected comment`);
    const sample = parseSample(line, at);
    if (current === undefined || !belongs(sample.name, current)) throw new Error(`${at}: sample ${sample.name} outside its family (declare HELP and TYPE first)`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`${at}: duplicate series`);
    seen.add(key);
    if ((current.type === 'counter' || current.type === 'histogram') && sample.value < 0) throw new Error(`${at}: negative ${current.type} value`);
    if (current.type === 'counter' && !sample.name.endsWith('_total')) throw new Error(`${at}: counter name should end in _total`);
    current.samples.push(sample);
  });
  if (help !== undefined) throw new Error(`HELP for ${help.name} without TYPE`);
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function belongs(sample: string, f: PromFamily): boolean {
  if (f.type !== 'histogram') return sample === f.name;
  return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`].includes(sample);
}

function parseSample(line: string, at: string): PromSample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
  if (!m) throw new Error(`${at}: malformed sample`);
  const labels: Record<string, string> = {};
  if (m[3] !== undefined && m[3] !== '') {
    let rest = m[3];
    while (rest.length > 0) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (!l || !LABEL_NAME.test(l[1])) throw new Error(`${at}: malformed labels`);
      if (l[1] in labels) throw new Error(`${at}: label ${l[1]} twice`);
      labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
  }
  const v = m[4];
  const value = v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : Number(v);
  if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+|Inf|NaN)$/.test(v) || (Number.isNaN(value) && v !== 'NaN')) throw new Error(`${at}: bad value ${v}`);
  return { name: m[1], labels, value };
}

function checkHistogram(f: PromFamily): void {
  const groups = new Map<string, PromSample[]>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    void le;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const count = samples.find((s) => s.name === `${f.name}_count`);
    const sum = samples.find((s) => s.name === `${f.name}_sum`);
    if (count === undefined || sum === undefined) throw new Error(`${f.name}${key}: _count or _sum missing`);
    if (buckets.length === 0 || buckets.some((b) => b.labels.le === undefined)) throw new Error(`${f.name}${key}: buckets missing or without le`);
    const les = buckets.map((b) => (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
    for (let i = 1; i < buckets.length; i++) {
      if (!(les[i] > les[i - 1])) throw new Error(`${f.name}${key}: bucket bounds not increasing`);
      if (buckets[i].value < buckets[i - 1].value) throw new Error(`${f.name}${key}: buckets not cumulative`);
    }
    if (les[les.length - 1] !== Infinity) throw new Error(`${f.name}${key}: last bucket is not +Inf`);
    if (buckets[buckets.length - 1].value !== count.value) throw new Error(`${f.name}${key}: +Inf bucket ${buckets[buckets.length - 1].value} != _count ${count.value}`);
  }
}

/** The value of one series, or undefined. */
export function promValue(families: Map<string, PromFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
  return family?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}
