/**
 * Who sent a command, as the worker establishes it: a decision signed by `ramp server` is
 * verified against the servers' public keys (RAMP_DECISION_KEYS_FILE) and yields the verified
 * actor; a command without one is a direct Temporal call, recorded as local-unverified — and
 * refused where the workflow needs a verified person (approvals, overrides) once the worker has
 * decision keys, i.e. once a server is deployed in front of it. The workflow checks the
 * decision's binding to its own state (src/identity/decision.ts). Runs as a local activity.
 */
import { readFile, stat } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { JSONWebKeySet } from 'jose';
import { unverifiedActor } from '../src/identity/actor.js';
import type { Authentication, DecisionAction } from '../src/identity/decision.js';
import { verifyDecision } from '../src/identity/decision-signature.js';

export interface IdentityDeps {
  /** RAMP_DECISION_KEYS_FILE: the public keys (JWKS) of the ramp servers; unset on the local stack. */
  decisionKeysFile: string | undefined;
  /**
   * Record direct Temporal commands as unverified instead of refusing them where a verified
   * person is needed, although the worker verifies signed decisions: the dev stack only
   * (`ramp dev` runs a demo server and keeps the README's direct commands working). @default false
   */
  acceptUnverified?: boolean;
}

export interface AuthenticateRequest {
  action: DecisionAction;
  /** The name the caller gave (OperatorArgs.actor). */
  actor: string;
  /** The signed decision (OperatorArgs.decision), if any. */
  decision?: string;
  /** Whether this command needs a verified person when the worker can verify (approvals, overrides). */
  needsVerified: boolean;
}

export function createIdentityActivities({ decisionKeysFile, acceptUnverified = false }: IdentityDeps) {
  let keys: { version: string; read: Promise<JSONWebKeySet> } | null = null;
  /**
   * Read again whenever the file changed (a key rotation: publish the new public key to the
   * workers, then switch the servers — no worker restart); a failed read is tried again by the
   * next command.
   */
  const publicKeys = async (): Promise<JSONWebKeySet> => {
    const file = decisionKeysFile!;
    const info = await stat(file).catch(() => null);
    const version = info ? `${info.mtimeMs}:${info.size}` : 'missing';
    if (keys?.version !== version) {
      const read = readDecisionKeys(file);
      keys = { version, read };
      read.catch(() => {
        if (keys?.read === read) keys = null;
      });
    }
    return keys.read;
  };
  return {
    async authenticateCommand(request: AuthenticateRequest): Promise<Authentication> {
      if (request.decision === undefined || request.decision === '') {
        const refusal =
          decisionKeysFile !== undefined && request.needsVerified && !acceptUnverified
            ? `${request.actor} is not a verified identity: to ${request.action} here, decide through ramp server (ramp login, then RAMP_SERVER=<url>); direct Temporal calls are recorded as unverified and cannot ${request.action}`
            : null;
        return { verified: false, actor: unverifiedActor(request.actor), refusal };
      }
      if (decisionKeysFile === undefined) {
        return {
          verified: false,
          actor: unverifiedActor(request.actor),
          refusal: 'this worker cannot verify decisions signed by ramp server: set RAMP_DECISION_KEYS_FILE to the servers\u2019 public keys (ramp server keys)',
        };
      }
      const verification = await verifyDecision(request.decision, await publicKeys());
      if (!verification.ok) return { verified: false, actor: unverifiedActor(request.actor), refusal: verification.reason };
      return { verified: true, actor: verification.claims.actor, claims: verification.claims };
    },
  };
}

/** Reads a JWKS file of Ed25519 public keys; a bad file is the worker's configuration error. */
export async function readDecisionKeys(file: string): Promise<JSONWebKeySet> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw ApplicationFailure.nonRetryable(
      `cannot read the decision keys ${file}: ${(error as Error).message}. Fix RAMP_DECISION_KEYS_FILE on the worker (ramp server keys writes it)`,
      'WorkerConfig',
    );
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'object' || k === null || 'd' in k)) {
    throw ApplicationFailure.nonRetryable(
      `${file} is not a JWKS of public keys ({"keys": [...]}, no private part "d"). Give the workers decision-keys.json from ramp server keys`,
      'WorkerConfig',
    );
  }
  return { keys: keys as JSONWebKeySet['keys'] };
}
