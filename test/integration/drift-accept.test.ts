/**
 * Accepting a drift writes the live values into Git (src/providers/kube/drift-ops.ts
 * acceptChanges + the repository's commit), on a real Git repository: the field in the file that
 * defines the object — in a multi-document file, only that object's document — or a
 * kustomization's images entry that overrides the image; what cannot be written surgically is
 * refused with what to do instead.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ObjectDrift } from '../../src/domain/drift.js';
import type { GitOpsRepository } from '../../src/providers/git/gitops-repository.js';
import { CachedGitOpsRepositories } from '../../src/providers/git/repositories.js';
import { acceptChanges, DriftAcceptError } from '../../src/providers/kube/drift-ops.js';
import { createGitOpsRemote, type GitOpsRemote } from '../harness/git.js';

const FILES: Record<string, string> = {
  'envs/plain/stable.yaml': `# the stable track
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-stable
spec:
  replicas: 2 # two is enough off-season
  template:
    spec:
      containers:
        - name: web
          image: web:1.0.0
`,
  'envs/plain/services.yaml': `apiVersion: v1
kind: Service
metadata: { name: web-stable }
spec:
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata: { name: web-canary }
spec:
  ports:
    - port: 80
`,
  'envs/kustomized/kustomization.yaml': `resources: [deployment.yaml]
images:
  - name: web
    newTag: 1.0.0 # ramp writes this
`,
  'envs/kustomized/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:placeholder
`,
};

const drift = (kind: string, name: string, source: string | null, fields: ObjectDrift['fields'], missing = false): ObjectDrift => ({
  object: `${kind} shop/${name}`,
  ref: { apiVersion: kind === 'Service' ? 'v1' : 'apps/v1', kind, name, namespace: 'shop' },
  source,
  missing,
  fields,
});

describe('accepting a drift: the live values written to Git', () => {
  let remote: GitOpsRemote;
  let repository: GitOpsRepository;
  let dir: string;
  let head: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-accept-'));
    for (const [file, text] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(dir, 'seed', file)), { recursive: true });
      await writeFile(path.join(dir, 'seed', file), text);
    }
    remote = await createGitOpsRemote({ seedDir: path.join(dir, 'seed') });
    const spec = { url: remote.remoteUrl, branch: 'main', secretRef: null };
    repository = new CachedGitOpsRepositories({ cacheDir: path.join(dir, 'cache') }).get(spec);
    head = remote.seedCommit;
  });
  after(async () => {
    await remote?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function accept(stagePath: string, drifts: ObjectDrift[]): Promise<Record<string, string>> {
    const changes = await acceptChanges({ stagePath }, repository, head, drifts);
    const result = await repository.commit({
      repository: { url: remote.remoteUrl, branch: 'main', secretRef: null },
      stagePath,
      image: '',
      version: '',
      changes,
      subject: 'accept drift',
      trailers: { promotion: 'web/x:drift', stage: 'x', step: `accept-${Math.random()}`, version: '', drift: 'accepted by test' },
    });
    head = result.sha ?? head;
    const { dir: clone } = await remote.workdir();
    const out: Record<string, string> = {};
    for (const file of result.files) out[file] = await readFile(path.join(clone, file), 'utf8');
    return out;
  }

  test('a scaled Deployment: its replicas, in its file, comments kept', async () => {
    const files = await accept('envs/plain', [drift('Deployment', 'web-stable', 'stable.yaml', [{ path: 'spec.replicas', desired: 2, live: 6 }])]);
    assert.deepEqual(Object.keys(files), ['envs/plain/stable.yaml']);
    assert.equal(files['envs/plain/stable.yaml'], FILES['envs/plain/stable.yaml']!.replace('replicas: 2 # two', 'replicas: 6 # two'));
  });

  test("in a file of several objects, only the drifted object's document changes", async () => {
    const files = await accept('envs/plain', [drift('Service', 'web-canary', 'services.yaml', [{ path: 'spec.ports[0].port', desired: 80, live: 8080 }])]);
    const [first, second] = files['envs/plain/services.yaml']!.split('---');
    assert.match(first!, /port: 80\n/);
    assert.match(second!, /port: 8080\n/);
  });

  test('an image a kustomization overrides: its images entry gets the live tag', async () => {
    const files = await accept('envs/kustomized', [
      drift('Deployment', 'web', 'deployment.yaml', [
        { path: 'spec.template.spec.containers[name=web].image', desired: 'web:1.0.0', live: 'web:1.0.1-hotfix' },
      ]),
    ]);
    assert.deepEqual(Object.keys(files), ['envs/kustomized/kustomization.yaml']);
    assert.match(files['envs/kustomized/kustomization.yaml']!, /newTag: 1\.0\.1-hotfix # ramp writes this/);
  });

  const refusals: [string, string, ObjectDrift, RegExp][] = [
    [
      'a deletion',
      'envs/plain',
      drift('Deployment', 'web-stable', 'stable.yaml', [], true),
      /is missing from the cluster; ramp cannot accept a deletion\. Delete it from Git by hand, or reject/,
    ],
    [
      'an object of unknown origin',
      'envs/plain',
      drift('Deployment', 'web-stable', null, [{ path: 'spec.replicas', desired: 2, live: 3 }]),
      /does not know which file of envs\/plain defines Deployment shop\/web-stable/,
    ],
    [
      'a changed mapping',
      'envs/plain',
      drift('Deployment', 'web-stable', 'stable.yaml', [{ path: 'spec.template.spec.containers[name=web].resources', desired: { cpu: 1 }, live: { cpu: 2 } }]),
      /not a single value in the cluster; ramp writes back only single values/,
    ],
    [
      'an image from another registry under a kustomization',
      'envs/kustomized',
      drift('Deployment', 'web', 'deployment.yaml', [
        { path: 'spec.template.spec.containers[name=web].image', desired: 'web:1.0.0', live: 'evil.example.com/web:1.0.0' },
      ]),
      /runs evil\.example\.com\/web:1\.0\.0; ramp can write back only a new tag of web/,
    ],
  ];
  for (const [name, stagePath, d, message] of refusals) {
    test(`refused: ${name}`, async () => {
      await assert.rejects(acceptChanges({ stagePath }, repository, head, [d]), (err: unknown) => err instanceof DriftAcceptError && message.test(err.message));
    });
  }
});
