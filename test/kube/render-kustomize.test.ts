/**
 * renderStage on kustomize stages, with the real kustomize binary (RAMP_KUSTOMIZE, as the test
 * run sets it; else the cached build of scripts/kube/build.sh). No cluster needed; it lives here
 * because unit tests do not build binaries. Plain YAML stages: test/unit/kube-render.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ensureKubeBinaries } from '../../scripts/lib/kube.js';
import { ManifestError } from '../../src/providers/kube/objects.js';
import { renderStage } from '../../src/providers/kube/render.js';

let root: string;
let kustomize: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ramp-kustomize-'));
  kustomize = process.env.RAMP_KUSTOMIZE || (await ensureKubeBinaries()).kustomize;
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
}

const deployment = (name: string, image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  selector: { matchLabels: { app: ${name} } }\n  template:\n    metadata: { labels: { app: ${name} } }\n    spec: { containers: [{ name: web, image: "${image}" }] }\n`;
const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec: { ports: [{ port: 80 }] }\n`;
const manifestError = (pattern: RegExp) => (e: unknown) => e instanceof ManifestError && pattern.test(e.message);

describe('renderStage: kustomize stages (the real binary)', () => {
  test('kustomize build output; each object mapped to the resource file it came from, when the kustomization lists it', async () => {
    await write({
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: from-base }\n',
      'envs/k1/kustomization.yaml': [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'namespace: shop',
        'resources:',
        '  - workloads/deployment.yaml',
        '  - ./services.yaml',
        '  - ../../base',
        'images:',
        '  - { name: web, newTag: 2.0.0 }',
        'configMapGenerator:',
        '  - { name: settings, literals: [mode=fast] }',
        '',
      ].join('\n'),
      'envs/k1/workloads/deployment.yaml': deployment('web', 'web:1.0.0'),
      'envs/k1/services.yaml': `${service('web-stable')}---\n${service('web-canary')}`,
      'envs/k1/unlisted.yaml': service('not-rendered'),
    });
    const objects = await renderStage(root, 'envs/k1', { kustomize });
    const summary = objects.map((d) => `${d.object.kind}/${d.object.metadata.name} ${d.object.metadata.namespace} ${d.source}`).sort();
    assert.equal(summary.length, 5, summary.join('\n'));
    assert.match(summary[0]!, /^ConfigMap\/from-base shop null$/, 'from a base: no source');
    assert.match(summary[1]!, /^ConfigMap\/settings-[a-z0-9]+ shop null$/, 'generated: no source');
    assert.deepEqual(summary.slice(2), [
      'Deployment/web shop workloads/deployment.yaml',
      'Service/web-canary shop ./services.yaml',
      'Service/web-stable shop ./services.yaml',
    ]);
    const web = objects.find((d) => d.object.kind === 'Deployment')!.object;
    assert.equal(
      (web.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image,
      'web:2.0.0',
      "kustomize's images transformer ran",
    );
  });

  test('objects renamed by namePrefix keep no source (best effort)', async () => {
    await write({
      'envs/k2/kustomization.yaml': 'namePrefix: prod-\nresources: [deployment.yaml]\n',
      'envs/k2/deployment.yaml': deployment('web', 'web:1.0.0'),
    });
    const [only] = await renderStage(root, 'envs/k2', { kustomize });
    assert.equal(only!.object.metadata.name, 'prod-web');
    assert.equal(only!.source, null);
  });

  test('kustomization.yml is found too', async () => {
    await write({ 'envs/k3/kustomization.yml': 'resources: [s.yaml]\n', 'envs/k3/s.yaml': service('web') });
    const objects = await renderStage(root, 'envs/k3', { kustomize });
    assert.deepEqual(
      objects.map((d) => [d.object.kind, d.source]),
      [['Service', 's.yaml']],
    );
  });

  test("a broken kustomization: kustomize's own error, naming the stage", async () => {
    await write({ 'envs/k4/kustomization.yaml': 'resources: [missing.yaml]\n' });
    await assert.rejects(
      renderStage(root, 'envs/k4', { kustomize }),
      manifestError(/^kustomize build envs\/k4 failed: Error: accumulating resources: .*missing\.yaml/s),
    );
  });

  test('a kustomization whose YAML is invalid', async () => {
    await write({ 'envs/k5/kustomization.yaml': 'resources: [a.yaml\n' });
    await assert.rejects(
      renderStage(root, 'envs/k5', { kustomize }),
      manifestError(/^kustomize build envs\/k5 failed: Error: invalid Kustomization: yaml: line 1/),
    );
  });

  test("an object without a name: kustomize's refusal, naming the stage", async () => {
    await write({
      'envs/k6/kustomization.yaml': 'resources: [a.yaml]\n',
      'envs/k6/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { labels: { a: b } }\n',
    });
    // kustomize refuses it itself, before ramp would.
    await assert.rejects(renderStage(root, 'envs/k6', { kustomize }), manifestError(/^kustomize build envs\/k6 failed: .*missing metadata\.name/s));
  });
});
