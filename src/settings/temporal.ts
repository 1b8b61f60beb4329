/**
 * Where and how ramp connects to Temporal, for the CLI and the worker alike: read by
 * @temporalio/envconfig from the TEMPORAL_* variables and the TOML config file (profiles), so
 * TLS, mTLS and API keys (Temporal Cloud) work as in Temporal's own CLI and SDKs. ramp's flags
 * (--address, --namespace) override both; without any setting, ramp uses a dev server on
 * 127.0.0.1:7233, namespace default.
 */
import { existsSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { UsageError } from '../errors.js';
import { splitAddress } from './address.js';
import type { Environment } from './parse.js';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

type EnvconfigOptions = ReturnType<typeof loadClientConnectConfig>['connectionOptions'];

/** How a connection is secured, for messages. */
export type TlsMode = 'plaintext' | 'tls' | 'mtls';

export interface TemporalSettings {
  /** host:port of the Temporal frontend. @default 127.0.0.1:7233 */
  address: string;
  /** @default default */
  namespace: string;
  /** TLS, API key and gRPC metadata: spread into Connection.connect and NativeConnection.connect with the address. */
  connection: Pick<EnvconfigOptions, 'tls' | 'apiKey' | 'metadata'>;
  tlsMode: TlsMode;
  /** Why TLS is on or off, for messages: "TEMPORAL_TLS=true", "TEMPORAL_API_KEY is set", "no TLS setting". */
  tlsReason: string;
}

/** The TEMPORAL_* variables envconfig reads, for `ramp worker --help` and docs/settings.md. */
export const TEMPORAL_VARIABLES: readonly { name: string; description: string }[] = [
  { name: 'TEMPORAL_ADDRESS', description: `host:port of the Temporal frontend (default ${DEFAULT_TEMPORAL_ADDRESS}; --address overrides it)` },
  { name: 'TEMPORAL_NAMESPACE', description: `the Temporal namespace (default ${DEFAULT_TEMPORAL_NAMESPACE}; --namespace overrides it)` },
  { name: 'TEMPORAL_API_KEY', description: 'an API key (Temporal Cloud), sent as a bearer token; turns TLS on' },
  {
    name: 'TEMPORAL_TLS',
    description: "true or 1: TLS (the system's CAs); false or 0: never TLS (default: TLS only with an API key or a TEMPORAL_TLS_* setting)",
  },
  { name: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', description: "the CA certificate that signed the server's (or _DATA: the PEM itself)" },
  { name: 'TEMPORAL_TLS_SERVER_NAME', description: "the name the server's certificate is checked against (default: the host of the address)" },
  { name: 'TEMPORAL_TLS_CLIENT_CERT_PATH', description: 'mTLS: the client certificate (or _DATA: the PEM itself)' },
  { name: 'TEMPORAL_TLS_CLIENT_KEY_PATH', description: "mTLS: the client certificate's private key (or _DATA: the PEM itself)" },
  { name: 'TEMPORAL_GRPC_META_<NAME>', description: 'a gRPC header sent with every call (<NAME> lower-cased, _ as -)' },
  { name: 'TEMPORAL_CONFIG_FILE', description: 'the TOML file of connection profiles (default ~/.config/temporalio/temporal.toml, if it exists)' },
  { name: 'TEMPORAL_PROFILE', description: 'the profile of that file to use (default: default); TEMPORAL_* variables override its fields' },
];

const TLS_VALUES = ['1', 'true', '0', 'false'];

/**
 * Loads the connection settings once (reading certificate files now, so a missing file is a
 * usage error at startup, not a failure at connect time). Throws UsageError naming the setting.
 */
export function loadTemporalSettings(env: Environment, overrides: { address?: string | undefined; namespace?: string | undefined } = {}): TemporalSettings {
  const vars = envconfigEnv(env);
  const tlsFlag = vars.TEMPORAL_TLS;
  if (tlsFlag !== undefined && !TLS_VALUES.includes(tlsFlag)) {
    throw new UsageError(`TEMPORAL_TLS=${JSON.stringify(tlsFlag.slice(0, 40))}: expected true, 1, false or 0 (whether to connect to Temporal over TLS)`);
  }
  if (vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === 'true' || vars.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION === '1') {
    throw new UsageError(
      "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by ramp (its Temporal SDK ignores it); set TEMPORAL_TLS_SERVER_NAME to a name in the server's certificate, or TEMPORAL_TLS_SERVER_CA_CERT_PATH to its CA",
    );
  }
  const file = vars.TEMPORAL_CONFIG_FILE;
  if (file !== undefined && !existsSync(file)) {
    throw new UsageError(`TEMPORAL_CONFIG_FILE=${file}: no such file. Point it at a TOML file of Temporal connection profiles, or unset it`);
  }
  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: vars });
  } catch (error) {
    throw new UsageError(`cannot load the Temporal connection settings (${sourcesOf(vars)}): ${(error as Error).message}`);
  }
  const { address, namespace, tls, apiKey, metadata } = { ...loaded.connectionOptions, namespace: loaded.namespace };
  const mode = tlsModeOf(tls);
  const chosen = nonEmpty(overrides.address) ?? nonEmpty(address) ?? DEFAULT_TEMPORAL_ADDRESS;
  if (splitAddress(chosen) === null) {
    const from = nonEmpty(overrides.address) ? '--address' : vars.TEMPORAL_ADDRESS !== undefined ? 'TEMPORAL_ADDRESS' : `the address of ${sourcesOf(vars)}`;
    throw new UsageError(`${from} ${JSON.stringify(chosen.slice(0, 200))} is not host:port (for example 127.0.0.1:7233 or temporal.example.com:7233)`);
  }
  return {
    address: chosen,
    namespace: nonEmpty(overrides.namespace) ?? nonEmpty(namespace) ?? DEFAULT_TEMPORAL_NAMESPACE,
    connection: { ...(tls !== undefined ? { tls } : {}), ...(apiKey ? { apiKey } : {}), ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}) },
    tlsMode: mode,
    tlsReason: tlsReasonOf(vars, mode, apiKey !== undefined),
  };
}

/**
 * The environment as envconfig reads it: only set values, and empty ones dropped (ramp treats
 * an empty variable as unset) except TEMPORAL_GRPC_META_*, where empty removes a header.
 */
function envconfigEnv(env: Environment): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const text = value.trim();
    if (text !== '' || name.startsWith('TEMPORAL_GRPC_META_')) vars[name] = text;
  }
  return vars;
}

function tlsModeOf(tls: EnvconfigOptions['tls']): TlsMode {
  if (!tls) return 'plaintext';
  if (typeof tls === 'object' && tls.clientCertPair) return 'mtls';
  return 'tls';
}

function tlsReasonOf(vars: Record<string, string>, mode: TlsMode, apiKey: boolean): string {
  if (vars.TEMPORAL_TLS !== undefined) return `TEMPORAL_TLS=${vars.TEMPORAL_TLS}`;
  const tlsVariables = Object.keys(vars).filter((name) => name.startsWith('TEMPORAL_TLS_'));
  if (tlsVariables.length > 0) return `${tlsVariables.join(', ')} ${tlsVariables.length === 1 ? 'is' : 'are'} set`;
  if (apiKey && vars.TEMPORAL_API_KEY !== undefined) return 'TEMPORAL_API_KEY is set';
  if (mode !== 'plaintext' || apiKey) return `the Temporal config profile ${vars.TEMPORAL_PROFILE ?? 'default'} asks for it`;
  return 'no TLS setting';
}

function sourcesOf(vars: Record<string, string>): string {
  const file = vars.TEMPORAL_CONFIG_FILE ?? 'the default config file ~/.config/temporalio/temporal.toml';
  return `profile ${vars.TEMPORAL_PROFILE ?? 'default'} of ${file}, TEMPORAL_* variables`;
}

function nonEmpty(text: string | undefined): string | undefined {
  return text?.trim() ? text.trim() : undefined;
}
