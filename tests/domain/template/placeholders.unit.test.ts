import { describe, expect, it } from 'vitest';
import { findMarkers, markPlaceholders, unmark } from '../../../domain/template/placeholders';
import { renderTemplate } from '../../../domain/template/render';
import { refusal } from './support';

describe('markPlaceholders', () => {
  it('replaces each placeholder by a marker of the same length, keeping lines and columns', () => {
    const source = 'a: {{ .Values.x }}\nb: x{{.Release.Name}}y {{ "{{ raw }}" }}\n';
    const marked = markPlaceholders(source);
    expect(marked.text.length).toBe(source.length);
    expect(marked.text.split('\n').map((l) => l.length)).toEqual(source.split('\n').map((l) => l.length));
    expect(marked.text).not.toContain('{{');
    expect(marked.placeholders.map((p) => [p.source, p.target, p.line, p.column])).toEqual([
      ['{{ .Values.x }}', { kind: 'value', name: 'x' }, 1, 4],
      ['{{.Release.Name}}', { kind: 'release', field: 'Name' }, 2, 5],
      ['{{ "{{ raw }}" }}', { kind: 'literal', text: '{{ raw }}' }, 2, 24],
    ]);
    expect(unmark(marked, marked.text)).toBe(source);
  });

  it('picks a marker that does not occur in the source', () => {
    const source = 'a: BosunQ_0_ {{ .Values.x }}';
    const marked = markPlaceholders(source);
    expect(marked.placeholders[0].marker.startsWith('BosunQQ_0_')).toBe(true);
    const hits = findMarkers(marked, marked.text);
    expect(hits).toHaveLength(1);
    expect(hits[0].start).toBe(source.indexOf('{{'));
  });

  it('finds markers right next to underscores and digits of the text', () => {
    const marked = markPlaceholders('x: _{{ .Values.a }}_1{{ .Values.b }}9_');
    const text = marked.text.slice(3);
    expect(findMarkers(marked, text).map((h) => h.placeholder.source)).toEqual(['{{ .Values.a }}', '{{ .Values.b }}']);
    expect(unmark(marked, text)).toBe('_{{ .Values.a }}_1{{ .Values.b }}9_');
  });

  it('reports an opening without a closing on the same line', () => {
    const marked = markPlaceholders('a: {{ .Values.x\n}}\n');
    expect(marked.placeholders).toEqual([]);
    expect(marked.unclosed).toEqual([{ offset: 3, line: 1, column: 4 }]);
  });

  it('keeps a backslash before a placeholder the parse error it was', () => {
    const error = refusal(() =>
      renderTemplate(
        { documents: 'a: "\\{{ .Values.x }}"\n', parameters: [{ name: 'x', type: 'string', required: false, description: '', default: 'v' }] },
        {},
        { namespace: 'ns', appName: 'app' },
      ),
    );
    expect(error.message).toMatch(/^documents\[0\]: line 1, column \d+: YAML does not parse: /);
  });
});
