import type { JSX } from 'solid-js';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted' | 'info';

export function Badge(props: { tone: Tone; children: JSX.Element; title?: string; testid?: string; pulse?: boolean }) {
  return (
    <span class={`badge badge-${props.tone}`} classList={{ pulse: !!props.pulse }} title={props.title} data-testid={props.testid}>
      <span class="badge-dot" />
      {props.children}
    </span>
  );
}
