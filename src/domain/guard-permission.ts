/**
 * Who may acknowledge a rewritten history (docs/governance.md#history-guard): whoever administers the
 * pipeline the acknowledgement names (which uses the repository). A pipeline without an access
 * block is open — anyone may promote, operate and decide drift on it — so anyone may also
 * acknowledge for it, as for drift. Pure; the server asks it before signing the decision.
 */
import type { Actor } from '../identity/actor.js';
import type { AccessSpec } from '../schema/pipeline.js';
import { Permission, permissionRefusal, type GroupsFile } from './permissions.js';

export function historyAckRefusal(query: { pipeline: string; access: AccessSpec | null | undefined; actor: Actor; groups?: GroupsFile }): string | null {
  const { pipeline, access, actor } = query;
  if (!access) return permissionRefusal({ permission: Permission.Drift, pipeline, access: null, actor, groups: query.groups ?? {}, stage: null });
  const refusal = permissionRefusal({ permission: Permission.Administer, pipeline, access, actor, groups: query.groups ?? {}, stage: null });
  return refusal === null ? null : `${refusal}. Acknowledging a rewritten history needs administer on the whole pipeline`;
}
