/** The namespace a page works in: chosen from the namespaces where the user holds a permission, kept in the URL (`?ns=cluster/name`). */
import { createMemo, For, type Accessor } from 'solid-js';
import { api } from '../lib/api';
import { createQuery } from '../lib/query';
import { currentLocation, setQuery } from '../lib/router';
import { canOnNamespace } from '../lib/session';
import type { Permission } from '../lib/session';

export interface NamespaceChoice {
  /** Whether the namespace list has loaded (an empty `readable` before that means "not yet"). */
  loaded: Accessor<boolean>;
  readable: Accessor<{ clusterId: string; name: string; workspaceId: string }[]>;
  selected: Accessor<{ clusterId: string; name: string; workspaceId: string } | null>;
}

export function createNamespaceChoice(permission: Permission): NamespaceChoice {
  const namespaces = createQuery(() => ({}), () => api.namespaces.list.query({}));
  const readable = createMemo(() => (namespaces.data() ?? []).filter((n) => n.status !== 'deleted' && canOnNamespace(permission, { clusterId: n.clusterId, name: n.name, workspaceId: n.workspaceId })));
  const selected = createMemo(() => {
    const wanted = currentLocation().query.get('ns');
    const list = readable();
    return list.find((n) => `${n.clusterId}/${n.name}` === wanted) ?? list[0] ?? null;
  });
  return { loaded: () => namespaces.data() !== undefined, readable, selected };
}

export function NamespaceSelect(props: { choice: NamespaceChoice; testid: string }) {
  const key = (n: { clusterId: string; name: string }) => `${n.clusterId}/${n.name}`;
  return (
    <select data-testid={props.testid} value={props.choice.selected() ? key(props.choice.selected()!) : ''} onChange={(e) => setQuery({ ns: e.currentTarget.value })}>
      <For each={props.choice.readable()}>
        {(n) => (
          <option value={key(n)} selected={props.choice.selected() !== null && key(props.choice.selected()!) === key(n)}>
            {n.name} · {n.clusterId}
          </option>
        )}
      </For>
    </select>
  );
}
