import { children, Show, type JSX } from 'solid-js';

/** The head of a page: its title (with a badge beside it, or a subtitle below) and its actions. */
export function PageHead(props: { title: JSX.Element; titleTestid?: string; subtitle?: JSX.Element; badge?: JSX.Element; actions?: JSX.Element }) {
  const badge = children(() => props.badge);
  const subtitle = children(() => props.subtitle);
  const actions = children(() => props.actions);
  return (
    <div class="page-head">
      <div class={badge() ? 'title-line' : undefined}>
        <h1 data-testid={props.titleTestid}>{props.title}</h1>
        {badge()}
        <Show when={subtitle()}>
          <p class="muted">{subtitle()}</p>
        </Show>
      </div>
      <Show when={actions()}>
        <div class="page-actions">{actions()}</div>
      </Show>
    </div>
  );
}

/** The way back from a detail page: `Back / current`. */
export function Crumbs(props: { back: string; href: string; current: string }) {
  return (
    <nav class="crumbs">
      <a href={props.href}>{props.back}</a>
      <span>/</span>
      <span>{props.current}</span>
    </nav>
  );
}

/** The primary "+ Create …" button of a page or section. */
export function AddButton(props: { label: string; testid: string; onClick: () => void }) {
  return (
    <button type="button" class="btn btn-primary" data-testid={props.testid} onClick={() => props.onClick()}>
      + {props.label}
    </button>
  );
}
