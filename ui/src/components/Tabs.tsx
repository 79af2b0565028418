import { For } from 'solid-js';
import { currentLocation, setQuery } from '../lib/router';
import './identity.css';

/** The tab chosen in the URL (`?tab=`), so a tab can be linked to and survives a reload. */
export const currentTab = <T extends string>(tabs: readonly T[], fallback: T): T => {
  const tab = currentLocation().query.get('tab') as T | null;
  return tab && tabs.includes(tab) ? tab : fallback;
};

/** A row of tabs over a page's sections; the first tab is the default and keeps the URL clean. */
export function Tabs<T extends string>(props: { tabs: { id: T; label: string }[]; active: T; testid?: string }) {
  return (
    <div class="tabs" role="tablist" data-testid={props.testid ?? 'tabs'}>
      <For each={props.tabs}>
        {(tab, i) => (
          <button
            type="button"
            role="tab"
            class="tab"
            classList={{ active: props.active === tab.id }}
            aria-selected={props.active === tab.id}
            onClick={() => setQuery({ tab: i() === 0 ? undefined : tab.id })}
            data-testid={`tab-${tab.id}`}
          >
            {tab.label}
          </button>
        )}
      </For>
    </div>
  );
}
