/**
 * renderStage on plain YAML stages (src/providers/kube/render.ts): every YAML file of the stage
 * directory, sorted and recursive, multi-document, Lists flattened, each object with the file it
 * came from; errors that name the file and the document. The kustomize cases need the real
 * binary and are in test/kube/render-kustomize.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManifestError, parseManifests } from '../../src/providers/kube/objects.js';
import { renderStage } from '../../src/providers/kube/render.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ramp-render-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let stages = 0;
/** Writes `files` under a fresh stage directory `envs/<n>` of `root`; returns the stage path. */
async function stage(files: Record<string, string>): Promise<string> {
  const stagePath = `envs/s${++stages}`;
  for (const [file, text] of Object.entries(files)) {
    const full = path.join(root, stagePath, file);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return stagePath;
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata: { k: v }\n`;
const summary = (objects: Awaited<ReturnType<typeof renderStage>>) => objects.map((d) => `${d.source} ${d.object.kind}/${d.object.metadata.name}`);
const manifestError = (pattern: RegExp) => (e: unknown) => e instanceof ManifestError && pattern.test(e.message);

describe('renderStage: plain YAML files', () => {
  test('every .yaml/.yml file, recursively, in sorted path order; other files ignored; source is the stage-relative path', async () => {
    const stagePath = await stage({
      'web.yaml': configMap('from-web'),
      'api.yml': configMap('from-api'),
      'nested/deeper/x.yaml': configMap('from-x'),
      'nested/a.yaml': configMap('from-nested-a'),
      'zz.yaml': configMap('from-zz'),
      'README.md': '# not a manifest\n',
      'values.json': '{}',
      'notes.yaml.orig': 'apiVersion: [',
    });
    const objects = await renderStage(root, stagePath);
    assert.deepEqual(summary(objects), [
      'api.yml ConfigMap/from-api',
      'nested/a.yaml ConfigMap/from-nested-a',
      'nested/deeper/x.yaml ConfigMap/from-x',
      'web.yaml ConfigMap/from-web',
      'zz.yaml ConfigMap/from-zz',
    ]);
    assert.deepEqual(objects[0]!.object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-api' }, data: { k: 'v' } });
  });

  test('multi-document files in document order; empty and comment-only documents skipped', async () => {
    const stagePath = await stage({
      'all.yaml': `# leading comment\n---\n${configMap('one')}---\n---\n# nothing here\n---\n${configMap('two')}...\n---\n${configMap('three')}`,
    });
    assert.deepEqual(summary(await renderStage(root, stagePath)), ['all.yaml ConfigMap/one', 'all.yaml ConfigMap/two', 'all.yaml ConfigMap/three']);
  });

  test('List kinds are flattened, nested Lists too', async () => {
    const stagePath = await stage({
      'list.yaml': [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - { apiVersion: v1, kind: Service, metadata: { name: web }, spec: { ports: [{ port: 80 }] } }',
        '  - apiVersion: v1',
        '    kind: ConfigMapList',
        '    items:',
        '      - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }',
        '      - { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }',
        '---',
        configMap('after'),
      ].join('\n'),
    });
    assert.deepEqual(summary(await renderStage(root, stagePath)), [
      'list.yaml Service/web',
      'list.yaml ConfigMap/a',
      'list.yaml ConfigMap/b',
      'list.yaml ConfigMap/after',
    ]);
  });

  test('namespaces are kept as Git says; none is added (syncStage asks the cluster which kinds are namespaced)', async () => {
    const stagePath = await stage({ 'a.yaml': `${configMap('plain')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: placed, namespace: shop }\n` });
    const [plain, placed] = await renderStage(root, stagePath);
    assert.equal(plain!.object.metadata.namespace, undefined);
    assert.equal(placed!.object.metadata.namespace, 'shop');
  });

  test('YAML anchors and aliases are resolved', async () => {
    const stagePath = await stage({
      'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: anchors, labels: &labels { app: web } }\ndata: *labels\n',
    });
    const [only] = await renderStage(root, stagePath);
    assert.deepEqual(only!.object.data, { app: 'web' });
  });
});

describe('renderStage: errors name the file, the document and what to fix', () => {
  const rows: { name: string; files: Record<string, string>; error: (stagePath: string) => RegExp }[] = [
    {
      name: 'a document without kind',
      files: { 'a.yaml': configMap('fine'), 'b.yaml': `${configMap('ok')}---\napiVersion: v1\nmetadata: { name: x }\n` },
      error: (s) => new RegExp(`^${s}/b\\.yaml: document 2 has no kind; every manifest needs apiVersion, kind and metadata\\.name$`),
    },
    {
      name: 'a document without apiVersion',
      files: { 'a.yaml': 'kind: ConfigMap\nmetadata: { name: x }\n' },
      error: (s) => new RegExp(`^${s}/a\\.yaml: document 1 has no apiVersion`),
    },
    {
      name: 'a document without metadata.name',
      files: { 'sub/a.yaml': `${configMap('one')}---\n${configMap('two')}---\napiVersion: v1\nkind: Secret\nmetadata: { namespace: x }\n` },
      error: (s) => new RegExp(`^${s}/sub/a\\.yaml: document 3 \\(Secret\\) has no metadata\\.name; give it a name$`),
    },
    {
      name: 'an empty metadata.name',
      files: { 'a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: "" }\n' },
      error: (s) => new RegExp(`^${s}/a\\.yaml: document 1 \\(ConfigMap\\) has no metadata\\.name`),
    },
    {
      name: "an item of a List without a name: the List's document is named",
      files: { 'a.yaml': 'apiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: {} }\n' },
      error: (s) => new RegExp(`^${s}/a\\.yaml: document 1 \\(ConfigMap\\) has no metadata\\.name`),
    },
    {
      name: 'a document that is not a mapping',
      files: { 'a.yaml': `${configMap('x')}---\n- a\n- list\n` },
      error: (s) => new RegExp(`^${s}/a\\.yaml: document 2 is not a Kubernetes object`),
    },
    {
      name: "invalid YAML, with the parser's line and column",
      files: { 'a.yaml': configMap('first'), 'z.yaml': `${configMap('ok')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n` },
      error: (s) => new RegExp(`^${s}/z\\.yaml: document 2: Tabs are not allowed as indentation at line 10`),
    },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const stagePath = await stage(row.files);
      await assert.rejects(renderStage(root, stagePath), manifestError(row.error(stagePath)));
    });
  }

  test('a stage directory that does not exist at the commit', async () => {
    await assert.rejects(
      renderStage(root, 'envs/nowhere'),
      manifestError(/^the stage directory envs\/nowhere does not exist at this commit; correct the stage path$/),
    );
  });

  test('a stage directory without YAML files', async () => {
    const stagePath = await stage({ 'README.md': 'nothing to apply\n', 'sub/notes.txt': 'x' });
    await assert.rejects(renderStage(root, stagePath), manifestError(new RegExp(`^${stagePath} holds no YAML manifests at this commit$`)));
  });

  test('a kustomization without a kustomize binary says how to get one', async () => {
    const stagePath = await stage({ 'kustomization.yaml': 'resources: [cm.yaml]\n', 'cm.yaml': configMap('x') });
    await assert.rejects(
      renderStage(root, stagePath, { kustomize: path.join(root, 'no-such-kustomize') }),
      manifestError(
        new RegExp(
          `^${stagePath} holds a kustomization, but the worker has no kustomize binary \\(.*no-such-kustomize\\)\\. Install kustomize 5 or set RAMP_KUSTOMIZE$`,
        ),
      ),
    );
  });

  test('the file name `Kustomization` marks a kustomization too', async () => {
    const stagePath = await stage({ Kustomization: 'resources: [cm.yaml]\n', 'cm.yaml': configMap('x') });
    await assert.rejects(renderStage(root, stagePath, { kustomize: path.join(root, 'no-such-kustomize') }), manifestError(/holds a kustomization/));
  });
});

describe('parseManifests', () => {
  test('an empty or comment-only text holds no objects', () => {
    assert.deepEqual(parseManifests('', 'a.yaml'), []);
    assert.deepEqual(parseManifests('# nothing\n', 'a.yaml'), []);
  });
});
