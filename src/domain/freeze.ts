/**
 * An organisation-wide freeze (docs/governance.md): declared and lifted from the CLI, the API or
 * the web page, held by one workflow (`ramp-freeze`), read by every stage's window check.
 */
import type { Actor } from '../identity/actor.js';
import type { DecisionChannel } from '../identity/decision.js';

export interface FreezeState {
  /** Who declared it, when, why, and until when (null: until lifted). */
  declaredBy: Actor;
  channel: DecisionChannel;
  declaredAt: string;
  reason: string;
  until: string | null;
}
