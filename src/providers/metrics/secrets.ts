/**
 * Worker-side secrets for metric providers, by reference: a pipeline says
 * `headers: [{ name: Authorization, secretRef: prometheus-token }]` and the worker reads the
 * value from `RAMP_SECRET_PROMETHEUS_TOKEN`, or from the file `$RAMP_SECRETS_DIR/prometheus-token`
 * (the same convention as Git credentials, src/providers/git/credentials.ts). Values never
 * appear in a spec, a workflow's history, a log line or an error message.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { secretEnvName } from '../git/credentials.js';

/** The value of a secret, or undefined when this worker does not have it. */
export type SecretResolver = (secretRef: string) => Promise<string | undefined>;

export interface SecretSource {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A directory of files named after secretRefs, each holding one value. @default $RAMP_SECRETS_DIR */
  secretsDir?: string | undefined;
}

/** Reads `RAMP_SECRET_<NAME>` first, then `$RAMP_SECRETS_DIR/<name>`; values are trimmed. */
export function createSecretResolver(source: SecretSource = {}): SecretResolver {
  const env = source.env ?? process.env;
  const secretsDir = source.secretsDir ?? env.RAMP_SECRETS_DIR;
  return async (secretRef) => {
    const fromEnv = env[secretEnvName(secretRef)]?.trim();
    if (fromEnv) return fromEnv;
    if (!secretsDir || !/^[A-Za-z0-9._-]+$/.test(secretRef) || secretRef.startsWith('.')) return undefined;
    const fromFile = await readFile(path.join(secretsDir, secretRef), 'utf8').then((text) => text.trim(), () => '');
    return fromFile || undefined;
  };
}

/** Where a secret is looked for, for messages: `RAMP_SECRET_PROMETHEUS_TOKEN or $RAMP_SECRETS_DIR/prometheus-token`. */
export function secretLocations(secretRef: string): string {
  return `${secretEnvName(secretRef)} or $RAMP_SECRETS_DIR/${secretRef}`;
}
