/**
 * A CodeMirror 6 YAML editor: syntax highlighting, line numbers, folding, and lint markers from a
 * server-side check (debounced), each shown at its line. Read-only when `readOnly`.
 */
import { yaml } from '@codemirror/lang-yaml';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, linter, lintGutter } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { createEffect, on, onCleanup, onMount } from 'solid-js';

export interface YamlProblem {
  message: string;
  /** 1-based; problems without a line are shown on the first line. */
  line?: number;
  column?: number;
}

const theme = EditorView.theme({
  '&': { fontSize: '12.5px', border: '1px solid var(--line-strong, #d0d7de)', borderRadius: '6px', background: '#fff' },
  '&.cm-focused': { outline: '2px solid var(--accent, #2f6fed)', outlineOffset: '-1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.55' },
  '.cm-gutters': { background: '#f6f8fa', borderRight: '1px solid #e5e7eb', color: '#8a94a6' },
  '.cm-content': { padding: '6px 0' },
});

/** Two spaces on Tab, so YAML never gets a tab character. */
const tabKeymap = keymap.of([
  {
    key: 'Tab',
    run: (view) => {
      view.dispatch(view.state.replaceSelection('  '));
      return true;
    },
  },
]);

export function YamlEditor(props: {
  value: string;
  onChange?: (value: string) => void;
  /** Returns the problems of the text; called debounced after edits. */
  lint?: (text: string) => Promise<YamlProblem[]>;
  readOnly?: boolean;
  height?: string;
  testid?: string;
}) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;

  onMount(() => {
    const extensions = [
      lineNumbers(),
      highlightActiveLineGutter(),
      foldGutter(),
      drawSelection(),
      highlightActiveLine(),
      indentOnInput(),
      indentUnit.of('  '),
      bracketMatching(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      yaml(),
      theme,
      EditorView.theme({ '&': { height: props.height ?? '420px' }, '.cm-scroller': { overflow: 'auto' } }),
      EditorState.readOnly.of(!!props.readOnly),
      EditorView.editable.of(!props.readOnly),
      tabKeymap,
      history(),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((update) => {
        if (update.docChanged) props.onChange?.(update.state.doc.toString());
      }),
    ];
    if (props.lint) {
      const lint = props.lint;
      extensions.push(
        lintGutter(),
        linter(
          async (v): Promise<Diagnostic[]> => {
            const text = v.state.doc.toString();
            let problems: YamlProblem[];
            try {
              problems = await lint(text);
            } catch {
              return [];
            }
            if (v.state.doc.toString() !== text) return [];
            return problems.map((p) => {
              const lineNo = Math.min(Math.max(p.line ?? 1, 1), v.state.doc.lines);
              const line = v.state.doc.line(lineNo);
              const from = p.column ? Math.min(line.from + p.column - 1, line.to) : line.from;
              return { from, to: Math.max(line.to, from), severity: 'error', message: p.message };
            });
          },
          { delay: 500 },
        ),
      );
    }
    view = new EditorView({ parent: host, state: EditorState.create({ doc: props.value, extensions }) });
  });

  // Replaced from outside (another version opened, a starter chosen): take the new text.
  createEffect(
    on(
      () => props.value,
      (value) => {
        if (view && value !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: value } });
      },
      { defer: true },
    ),
  );

  onCleanup(() => view?.destroy());

  return <div ref={host} class="yaml-editor" data-testid={props.testid} />;
}
