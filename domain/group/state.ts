/** A group (named by an identity provider) has no life of its own in Bosun: only the roles granted to it. */
import type { Grant } from '../permissions';
import type { GrantEvent } from '../grant/events';
import { evolveGrants } from '../grant/state';

export interface GroupState {
  status: 'group';
  grants: readonly Grant[];
}

export const initialState: GroupState = { status: 'group', grants: [] };

export function evolve(state: GroupState, event: GrantEvent): GroupState {
  return { status: 'group', grants: evolveGrants(state.grants, event) };
}
