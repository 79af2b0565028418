/**
 * Placeholders in template YAML: `{{ .Values.<name> }}`, `{{ .Release.Namespace }}`,
 * `{{ .Release.Name }}`, and `{{ "literal" }}` to write a literal `{{` (e.g. a Prometheus rule).
 *
 * Before parsing, each placeholder is swapped for an inert marker, a plain word of the same length
 * (so parse errors keep their columns). The YAML parser then sees only markers, never values, and
 * substitution happens on the parsed scalars: a value cannot add structure, whatever it contains.
 */

export type PlaceholderTarget =
  | { kind: 'value'; name: string }
  | { kind: 'release'; field: 'Namespace' | 'Name' }
  | { kind: 'literal'; text: string };

export interface Placeholder {
  /** As written: `{{ .Values.replicas }}`. */
  source: string;
  /** Undefined when the syntax is not one Bosun supports (pipes, functions, `{{-`…). */
  target: PlaceholderTarget | undefined;
  offset: number;
  /** 1-based, like the YAML parser's positions. */
  line: number;
  column: number;
  marker: string;
}

export interface Position {
  offset: number;
  line: number;
  column: number;
}

export interface MarkedSource {
  /** The source with every placeholder replaced by its marker. */
  text: string;
  placeholders: Placeholder[];
  /** `{{` with no `}}` on the same line. */
  unclosed: Position[];
  /** Finds this source's markers in a string. */
  markerPattern: RegExp;
}

const VALUE = /^\.Values\.([A-Za-z_][A-Za-z0-9_]*)$/;
const RELEASE = /^\.Release\.(Namespace|Name)$/;

function targetOf(inner: string): PlaceholderTarget | undefined {
  const value = VALUE.exec(inner);
  if (value) return { kind: 'value', name: value[1] };
  const release = RELEASE.exec(inner);
  if (release) return { kind: 'release', field: release[1] as 'Namespace' | 'Name' };
  if (inner.startsWith('"')) {
    try {
      const text: unknown = JSON.parse(inner);
      if (typeof text === 'string') return { kind: 'literal', text };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The end (exclusive) of a double-quoted literal starting at `start`, or -1 if it does not close before `limit`. */
function literalEnd(source: string, start: number, limit: number): number {
  for (let i = start + 1; i < limit; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i + 1;
  }
  return -1;
}

/**
 * A marker core absent from the source. It starts with a letter that no YAML escape uses (so `\`
 * before a placeholder stays the parse error it was) and occurs only at the start of a marker, so
 * no mix of source text and markers can look like a marker where there is none.
 */
function markerCore(source: string): string {
  let core = 'BosunQ';
  while (source.includes(core)) core += 'Q';
  return core;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function markPlaceholders(source: string): MarkedSource {
  const core = markerCore(source);
  const placeholders: Placeholder[] = [];
  const unclosed: Position[] = [];
  let text = '';
  let copied = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
      continue;
    }
    if (source[i] !== '{' || source[i + 1] !== '{') continue;
    const lineEnd = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    let searchFrom = i + 2;
    while (source[searchFrom] === ' ' || source[searchFrom] === '\t') searchFrom++;
    if (source[searchFrom] === '"') searchFrom = Math.max(searchFrom, literalEnd(source, searchFrom, lineEnd));
    const close = source.indexOf('}}', searchFrom);
    if (close === -1 || close >= lineEnd) {
      unclosed.push({ offset: i, line, column: i - lineStart + 1 });
      i++;
      continue;
    }
    const end = close + 2;
    const written = source.slice(i, end);
    const label = `${core}_${placeholders.length}_`;
    const marker = label.padEnd(written.length, '_');
    placeholders.push({
      source: written,
      target: targetOf(source.slice(i + 2, close).trim()),
      offset: i,
      line,
      column: i - lineStart + 1,
      marker,
    });
    text += source.slice(copied, i) + marker;
    copied = end;
    i = end - 1;
  }
  text += source.slice(copied);
  return { text, placeholders, unclosed, markerPattern: new RegExp(`${escapeRegExp(core)}_(\\d+)_`, 'g') };
}

export interface MarkerHit {
  start: number;
  end: number;
  placeholder: Placeholder;
}

/** The markers inside a string (a parsed scalar), in order. */
export function findMarkers(marked: MarkedSource, text: string): MarkerHit[] {
  const hits: MarkerHit[] = [];
  const pattern = new RegExp(marked.markerPattern.source, 'g');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const placeholder = marked.placeholders[Number(match[1])];
    if (placeholder && text.startsWith(placeholder.marker, match.index)) {
      hits.push({ start: match.index, end: match.index + placeholder.marker.length, placeholder });
      pattern.lastIndex = match.index + placeholder.marker.length;
    }
  }
  return hits;
}

/** Writes placeholders back where markers stand, e.g. in a parser's message. */
export function unmark(marked: MarkedSource, text: string): string {
  let result = '';
  let copied = 0;
  for (const hit of findMarkers(marked, text)) {
    result += text.slice(copied, hit.start) + hit.placeholder.source;
    copied = hit.end;
  }
  return result + text.slice(copied);
}
