/**
 * Worker-side secrets, by reference, for every provider: a pipeline names a secret
 * (`repository.credentials.secretRef`, a Prometheus header's or a webhook's `secretRef`) and the
 * worker reads its value from `RAMP_SECRET_<NAME>`, or from the file `$RAMP_SECRETS_DIR/<name>`.
 * Values never appear in a spec, a workflow's history, a log line or an error message.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** `gitops-deploy-token` → `RAMP_SECRET_GITOPS_DEPLOY_TOKEN`. */
export function secretEnvName(secretRef: string): string {
  return `RAMP_SECRET_${secretRef.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}

/** The value of a secret, or undefined when this worker does not have it. */
export type SecretResolver = (secretRef: string) => Promise<string | undefined>;

export interface SecretSource {
  /** Where RAMP_SECRET_<NAME> is looked up: the worker's environment, passed by its composition root (worker/config.ts). */
  env: NodeJS.ProcessEnv;
  /** A directory of files named after secretRefs, each holding one value. @default $RAMP_SECRETS_DIR */
  secretsDir?: string | undefined;
}

/** Reads `RAMP_SECRET_<NAME>` first, then `$RAMP_SECRETS_DIR/<name>`; values are trimmed. */
export function createSecretResolver(source: SecretSource): SecretResolver {
  const { env } = source;
  const secretsDir = source.secretsDir ?? env.RAMP_SECRETS_DIR;
  return async (secretRef) => {
    const fromEnv = env[secretEnvName(secretRef)]?.trim();
    if (fromEnv) return fromEnv;
    if (!secretsDir || !/^[A-Za-z0-9._-]+$/.test(secretRef) || secretRef.startsWith('.')) return undefined;
    const fromFile = await readFile(path.join(secretsDir, secretRef), 'utf8').then(
      (text) => text.trim(),
      () => '',
    );
    return fromFile || undefined;
  };
}

/**
 * Where a secret is looked for, for messages: `RAMP_SECRET_PROMETHEUS_TOKEN or
 * $RAMP_SECRETS_DIR/prometheus-token` (the directory's path when it is known).
 */
export function secretLocations(secretRef: string, secretsDir?: string): string {
  return `${secretEnvName(secretRef)} or ${secretsDir ? path.join(secretsDir, secretRef) : `$RAMP_SECRETS_DIR/${secretRef}`}`;
}
