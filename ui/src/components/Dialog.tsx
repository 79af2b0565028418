import { children, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { Portal } from 'solid-js/web';
import { t } from '../i18n';

/** Closes on Escape while mounted. */
function closeOnEscape(onClose: () => void) {
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
  onMount(() => document.addEventListener('keydown', onKey));
  onCleanup(() => document.removeEventListener('keydown', onKey));
}

function DialogHead(props: { title: string; onClose: () => void }) {
  return (
    <header class="dialog-head">
      <h2>{props.title}</h2>
      <button type="button" class="icon-btn" aria-label={t('common.close')} onClick={() => props.onClose()}>
        ×
      </button>
    </header>
  );
}

/** A modal dialog. The body is usually a <form>; `footer` holds its buttons. */
export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: JSX.Element;
  footer?: JSX.Element;
  wide?: boolean;
  testid?: string;
}) {
  closeOnEscape(() => props.onClose());
  const footer = children(() => props.footer);
  return (
    <Portal>
      <div class="overlay" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
        <div class="dialog" classList={{ wide: !!props.wide }} role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testid}>
          <DialogHead title={props.title} onClose={props.onClose} />
          <div class="dialog-body">{props.children}</div>
          <Show when={footer()}>
            <footer class="dialog-foot">{footer()}</footer>
          </Show>
        </div>
      </div>
    </Portal>
  );
}

/** A drawer sliding in from the right. */
export function Drawer(props: { title: string; onClose: () => void; children: JSX.Element; testid?: string }) {
  closeOnEscape(() => props.onClose());
  return (
    <Portal>
      <div class="overlay overlay-drawer" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
        <aside class="drawer" role="dialog" aria-label={props.title} data-testid={props.testid}>
          <DialogHead title={props.title} onClose={props.onClose} />
          <div class="drawer-body">{props.children}</div>
        </aside>
      </div>
    </Portal>
  );
}
