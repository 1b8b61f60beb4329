import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PORT_NAMES, temporalServerConfig, type TemporalPorts } from '../../scripts/lib/temporal-config.js';

interface Sql {
  sql: { pluginName: string; databaseName: string; connectAddr: string; user: string; password: string };
}
interface Rpc {
  rpc: { grpcPort: number; membershipPort: number; bindOnLocalHost: boolean };
}
interface Parsed {
  persistence: { defaultStore: string; visibilityStore: string; datastores: Record<string, Sql> };
  services: Record<string, Rpc>;
  global: { metrics: { prometheus: { listenAddress: string } }; tls: { frontend: { server: unknown; client: unknown } } };
  clusterMetadata: { clusterInformation: { active: { rpcAddress: string } } };
  dynamicConfigClient: { filepath: string };
}

const ports = Object.fromEntries(PORT_NAMES.map((name, i) => [name, 20_000 + i])) as unknown as TemporalPorts;
const config = parse(
  temporalServerConfig({
    ports,
    postgres: { port: 5555, user: 'temporal', password: 'pw' },
    tls: { certFile: '/c/frontend.crt', keyFile: '/c/frontend.key', caFile: '/c/ca.crt', serverName: 'localhost' },
    dynamicConfigFile: '/d/ramp.yaml',
  }),
) as Parsed;

test('both stores are the one PostgreSQL, in their own databases', () => {
  const stores = config.persistence.datastores;
  assert.equal(stores[config.persistence.defaultStore]?.sql.databaseName, 'temporal');
  assert.equal(stores[config.persistence.visibilityStore]?.sql.databaseName, 'temporal_visibility');
  for (const store of Object.values(stores)) {
    assert.deepEqual([store.sql.pluginName, store.sql.connectAddr, store.sql.user, store.sql.password], ['postgres12', '127.0.0.1:5555', 'temporal', 'pw']);
  }
});

test('every service listens on loopback ports of its own', () => {
  const used = Object.values(config.services).flatMap((s) => {
    assert.equal(s.rpc.bindOnLocalHost, true);
    return [s.rpc.grpcPort, s.rpc.membershipPort];
  });
  used.push(Number(/:(\d+)$/.exec(config.global.metrics.prometheus.listenAddress)?.[1]));
  assert.deepEqual(
    used.sort((a, b) => a - b),
    Object.values(ports).sort((a, b) => a - b),
  );
  assert.equal(config.services.frontend?.rpc.grpcPort, ports.frontend);
  assert.equal(config.clusterMetadata.clusterInformation.active.rpcAddress, `127.0.0.1:${ports.frontend}`);
});

test('the frontend serves TLS, and the server trusts its CA when it calls itself', () => {
  assert.deepEqual(config.global.tls.frontend.server, { certFile: '/c/frontend.crt', keyFile: '/c/frontend.key', requireClientAuth: false });
  assert.deepEqual(config.global.tls.frontend.client, { serverName: 'localhost', rootCaFiles: ['/c/ca.crt'] });
  assert.equal(config.dynamicConfigClient.filepath, '/d/ramp.yaml');
});
