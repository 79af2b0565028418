import { For, type JSX } from 'solid-js';

export interface Column {
  label: string;
  /** The header cell's class (e.g. `num`, `bar-col`, `actions`). */
  class?: string;
}

/** A scrollable table: a header row of `columns`, then the rows given as children. */
export function Table(props: { columns: Column[]; dense?: boolean; testid?: string; children: JSX.Element }) {
  return (
    <div class="table-wrap">
      <table class={props.dense ? 'table table-dense' : 'table'} data-testid={props.testid}>
        <thead>
          <tr>
            <For each={props.columns}>{(c) => <th class={c.class}>{c.label}</th>}</For>
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
