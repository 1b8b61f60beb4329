// The Temporal server's configuration for ramp's cluster tests (scripts/lib/temporal-server.ts):
// the shape of the module's config/development-postgres12.yaml, on one PostgreSQL for the default
// and visibility stores, every service on loopback ports of its own, TLS on the frontend.
import { stringify } from 'yaml';

export interface TemporalPorts {
  frontend: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

export const PORT_NAMES: readonly (keyof TemporalPorts)[] = [
  'frontend',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
  'metrics',
];

export interface TemporalConfigInput {
  ports: TemporalPorts;
  postgres: { port: number; user: string; password: string };
  /** The frontend's certificate and key, and the CA that signed them (which the server's own services trust). */
  tls: { certFile: string; keyFile: string; caFile: string; serverName: string };
  dynamicConfigFile: string;
  numHistoryShards?: number;
  logLevel?: string;
}

const datastore = (input: TemporalConfigInput, databaseName: string, maxConns: number) => ({
  sql: {
    pluginName: 'postgres12',
    databaseName,
    connectAddr: `127.0.0.1:${input.postgres.port}`,
    connectProtocol: 'tcp',
    user: input.postgres.user,
    password: input.postgres.password,
    maxConns,
    maxIdleConns: maxConns,
    maxConnLifetime: '1h',
  },
});

const rpc = (grpcPort: number, membershipPort: number) => ({ rpc: { grpcPort, membershipPort, bindOnLocalHost: true } });

/** The server's YAML configuration (temporal-server --config-file). */
export function temporalServerConfig(input: TemporalConfigInput): string {
  const { ports, tls } = input;
  const config = {
    log: { stdout: true, level: input.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.numHistoryShards ?? 4,
      datastores: {
        'postgres-default': datastore(input, 'temporal', 20),
        'postgres-visibility': datastore(input, 'temporal_visibility', 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${ports.metrics}` } },
      tls: {
        frontend: {
          // Clients (ramp) check the server's certificate; no client certificate is asked for.
          server: { certFile: tls.certFile, keyFile: tls.keyFile, requireClientAuth: false },
          // The server's own services (the system worker) call the frontend over the same TLS.
          client: { serverName: tls.serverName, rootCaFiles: [tls.caFile] },
        },
      },
    },
    services: {
      frontend: rpc(ports.frontend, ports.frontendMembership),
      history: rpc(ports.history, ports.historyMembership),
      matching: rpc(ports.matching, ports.matchingMembership),
      worker: rpc(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: input.dynamicConfigFile, pollInterval: '10s' },
  };
  return stringify(config);
}
