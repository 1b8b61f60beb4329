// docker-compose.yml: no Docker engine runs here, so we check that Compose itself accepts the file
// (`docker-compose config`) and that the stack has the expected shape.
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { runChecked } from '../../scripts/lib/proc.js';
import { ensureDockerCompose, PROJECT_ROOT } from '../../scripts/lib/tools.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: (string | { host_ip?: string; published?: string | number; target: number })[];
  volumes?: (string | { source?: string; target: string })[];
  environment?: Record<string, string>;
}

const COMPOSE_FILE = path.join(PROJECT_ROOT, 'docker-compose.yml');

describe('docker-compose.yml', () => {
  let compose: string;
  let services: Record<string, ComposeService>;

  before(async () => {
    compose = process.env.DOCKER_COMPOSE || (await ensureDockerCompose()).path;
    // `config` validates against Compose's schema, interpolates ${VARS:-defaults} and normalises.
    const { stdout } = await runChecked(compose, ['-f', COMPOSE_FILE, 'config'], {
      cwd: PROJECT_ROOT,
      timeoutMs: 60_000,
    });
    services = (parse(stdout) as { services: Record<string, ComposeService> }).services;
  });

  test('is accepted by docker-compose config -q', async () => {
    const r = await runChecked(compose, ['-f', COMPOSE_FILE, 'config', '-q'], { cwd: PROJECT_ROOT, timeoutMs: 60_000 });
    assert.equal(r.stderr.trim(), '', 'no warnings');
  });

  test('has the stack services', () => {
    for (const name of ['temporal', 'temporal-ui', 'postgresql', 'prometheus', 'worker']) {
      assert.ok(services[name], `service ${name}`);
    }
    assert.ok(services.worker!.build, 'the worker is built from the Dockerfile');
    assert.equal(services.worker!.environment?.TEMPORAL_ADDRESS, 'temporal:7233');
  });

  test('publishes ports on 127.0.0.1 only', () => {
    let published = 0;
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        published++;
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        assert.equal(hostIp, '127.0.0.1', `${name} publishes ${JSON.stringify(port)}`);
      }
    }
    assert.ok(published >= 4, 'temporal, temporal-ui, prometheus and the worker publish ports');
  });

  test('mounts files that exist in the repository', async () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (!path.isAbsolute(source)) continue; // a named volume
        await access(source).catch(() => assert.fail(`${name} mounts ${source}, which does not exist`));
      }
    }
    await access(path.join(PROJECT_ROOT, 'Dockerfile'));
  });
});
