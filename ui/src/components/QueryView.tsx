import { Show, type Accessor, type JSX } from 'solid-js';
import type { Query } from '../lib/query';
import { LoadError, Loading } from './States';

/**
 * What a query shows: its load error (only while there is no data to keep showing), a spinner
 * until the first data arrives, `empty` when the data is empty, else the content for the data.
 */
export function QueryView<T>(props: {
  query: Query<T>;
  /** Shown instead of the content when `isEmpty` says so. */
  empty?: JSX.Element;
  /** Whether the data counts as empty; by default, when it is an empty array. */
  isEmpty?: (data: T) => boolean;
  children: (data: Accessor<NonNullable<T>>) => JSX.Element;
}) {
  const isEmpty = (data: T) => (props.isEmpty ? props.isEmpty(data) : Array.isArray(data) && data.length === 0);
  return (
    <Show when={!props.query.error() || props.query.data()} fallback={<LoadError error={props.query.error()} retry={props.query.refetch} />}>
      <Show when={props.query.data()} fallback={<Loading />}>
        {(data) => (
          <Show when={!isEmpty(data())} fallback={props.empty}>
            {props.children(data)}
          </Show>
        )}
      </Show>
    </Show>
  );
}
