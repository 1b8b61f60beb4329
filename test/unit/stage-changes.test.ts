/** StageChange[] → file edits on the seed layout, and the Gateway API router's weights. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { StageChange } from '../../src/domain/changes.js';
import { ManifestEditError } from '../../src/manifests/yaml-edit.js';
import { applyFileEdits, planFileEdits, stageFile, type StageEdit } from '../../src/providers/git/changes.js';
import { gatewayApiRouter, type GatewayApiRouting } from '../../src/providers/traffic/gateway-api.js';
import { SEED_DIR } from '../harness/git.js';

const seed = (file: string): string => readFileSync(path.join(SEED_DIR, file), 'utf8');
const routing: GatewayApiRouting = { kind: 'gatewayAPI', file: 'route.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const canaryImage: StageChange = {
  kind: 'setVersion',
  targets: [{ kind: 'yamlUpdate', file: 'canary.yaml', path: 'spec.template.spec.containers[name=web].image', value: '{{ramp.image}}:{{ramp.version}}' }],
};

/** Applies the changes to the seed's files; returns the changed files' new contents. */
function edit(changes: StageChange[], stagePath = 'envs/staging'): Record<string, string> {
  const request: StageEdit = { stagePath, image: 'web', version: '1.1.0', changes };
  const out: Record<string, string> = {};
  for (const fileEdits of planFileEdits(request)) out[fileEdits.file] = applyFileEdits(seed(fileEdits.file), fileEdits);
  return out;
}

const isEditError = (pattern: RegExp) => (e: unknown) => e instanceof ManifestEditError && pattern.test(e.message);

describe('planFileEdits + applyFileEdits on the seed', () => {
  test('canary start: image, replicas and weights, each exactly one line', () => {
    const out = edit([
      canaryImage,
      { kind: 'scaleCanary', scale: { file: 'canary.yaml', path: 'spec.replicas', replicas: 1 }, replicas: 1 },
      { kind: 'setWeight', routing, weight: 10 },
    ]);
    assert.deepEqual(Object.keys(out), ['envs/staging/canary.yaml', 'envs/staging/route.yaml']);
    assert.equal(
      out['envs/staging/canary.yaml'],
      seed('envs/staging/canary.yaml')
        .replace('image: web:1.0.0\n', 'image: web:1.1.0\n')
        .replace('replicas: 0 # no canary running', 'replicas: 1 # no canary running'),
    );
    assert.equal(
      out['envs/staging/route.yaml'],
      seed('envs/staging/route.yaml').replace('weight: 100 #', 'weight: 90 #').replace('weight: 0 #', 'weight: 10 #'),
    );
  });

  test('a yamlUpdate value template is rendered with image and version', () => {
    const out = edit(
      [
        {
          kind: 'setVersion',
          targets: [{ kind: 'yamlUpdate', file: 'deployment.yaml', path: 'metadata.labels.app', value: 'v{{ramp.version}}-{{ramp.image}}' }],
        },
      ],
      'envs/preview',
    );
    assert.match(out['envs/preview/deployment.yaml']!, /^ {4}app: v1\.1\.0-web\n/m);
  });

  test('kustomizeImage sets newTag of the named image', () => {
    const kustomization = 'resources:\n  - deployment.yaml\nimages:\n  - name: web\n    newName: registry.example.com/web\n    newTag: 1.0.0 # ramp\n';
    const [plan] = planFileEdits({
      stagePath: 'envs/preview',
      image: 'web',
      version: '1.1.0',
      changes: [{ kind: 'setVersion', targets: [{ kind: 'kustomizeImage', file: 'kustomization.yaml', name: 'web' }] }],
    });
    assert.equal(plan!.file, 'envs/preview/kustomization.yaml');
    assert.equal(applyFileEdits(kustomization, plan!), kustomization.replace('newTag: 1.0.0 #', 'newTag: 1.1.0 #'));
  });

  test('kustomizeImage without an images entry says how to add one', () => {
    assert.throws(
      () => edit([{ kind: 'setVersion', targets: [{ kind: 'kustomizeImage', file: 'kustomization.yaml', name: 'web' }] }], 'envs/preview'),
      isEditError(/envs\/preview\/kustomization\.yaml: the kustomization has no images entry named web with a newTag\. Add one/),
    );
  });

  test('edits of one file are grouped, in the order asked', () => {
    const plan = planFileEdits({
      stagePath: 'envs/staging/',
      image: 'web',
      version: '2',
      changes: [{ kind: 'setWeight', routing, weight: 5 }, canaryImage, { kind: 'setWeight', routing, weight: 50 }],
    });
    assert.deepEqual(
      plan.map((p) => [p.file, p.edits.map((e) => e.kind)]),
      [
        ['envs/staging/route.yaml', ['weight', 'weight']],
        ['envs/staging/canary.yaml', ['field']],
      ],
    );
  });

  test('setting what is already there changes nothing', () => {
    assert.equal(edit([{ kind: 'setWeight', routing, weight: 0 }])['envs/staging/route.yaml'], seed('envs/staging/route.yaml'));
  });

  test('stage paths stay inside the repository', () => {
    assert.equal(stageFile('envs/staging', 'route.yaml'), 'envs/staging/route.yaml');
    assert.equal(stageFile('.', 'a/b.yaml'), 'a/b.yaml');
    assert.throws(() => stageFile('envs', '../../etc/passwd'), isEditError(/outside the repository/));
    assert.throws(() => stageFile('/etc', 'passwd'), isEditError(/outside the repository/));
  });
});

describe('gatewayApiRouter.setWeight', () => {
  const twoRoutes = `# routes
apiVersion: v1
kind: Service
metadata:
  name: web-stable
---
kind: HTTPRoute
metadata:
  name: internal
spec:
  rules:
    - backendRefs:
        - { name: web-stable, weight: 100 }
        - { name: web-canary, weight: 0 }
---
kind: HTTPRoute
metadata:
  name: public
spec:
  rules:
    - matches: [{ headers: [{ name: x-canary, value: "true" }] }]
      backendRefs:
        - name: web-canary
          weight: 1
    - backendRefs:
        - name: web-stable
          weight: 100 # stable
        - name: other
          weight: 0
        - name: web-canary
          weight: 0 # canary
    - backendRefs:
        - name: web-canary
          weight: 0
        - name: web-stable
          weight: 100
`;

  test('every rule with both backends, in the named route only; single-backend rules untouched', () => {
    const out = gatewayApiRouter.setWeight(twoRoutes, { ...routing, route: 'public' }, 25, 'route.yaml');
    const [head, internal, pub] = out.split('---\n');
    const [seedHead, seedInternal, seedPub] = twoRoutes.split('---\n');
    assert.equal(head, seedHead);
    assert.equal(internal, seedInternal);
    assert.equal(
      pub,
      seedPub!
        .replace('weight: 100 # stable', 'weight: 75 # stable')
        .replace('weight: 0 # canary', 'weight: 25 # canary')
        .replace(
          '- name: web-canary\n          weight: 0\n        - name: web-stable\n          weight: 100\n',
          '- name: web-canary\n          weight: 25\n        - name: web-stable\n          weight: 75\n',
        ),
    );
    assert.match(pub, /name: web-canary\n {10}weight: 1\n/, 'the header rule keeps its weight');
  });

  test('flow-style backendRefs keep their style', () => {
    const out = gatewayApiRouter.setWeight(twoRoutes, { ...routing, route: 'internal' }, 100, 'route.yaml');
    assert.match(out, /\{ name: web-stable, weight: 0 \}\n {8}- \{ name: web-canary, weight: 100 \}/);
  });

  const failures: [string, string, GatewayApiRouting, RegExp][] = [
    [
      'several routes and none named',
      twoRoutes,
      routing,
      /route\.yaml holds 2 HTTPRoutes \(internal, public\)\. Name the one ramp edits in trafficRouting\.gatewayAPI\.route/,
    ],
    ['an unknown route name', twoRoutes, { ...routing, route: 'nope' }, /holds no HTTPRoute named nope \(it holds internal, public\)/],
    ['no HTTPRoute at all', 'kind: Service\n', routing, /route\.yaml holds no HTTPRoute\. Point trafficRouting\.gatewayAPI\.file/],
    [
      'a missing canary backend',
      seed('envs/staging/route.yaml'),
      { ...routing, canaryBackend: 'web-preview' },
      /HTTPRoute web in route\.yaml: it has no backendRef web-preview\. Add the backendRef to the route, or correct trafficRouting\.gatewayAPI\.canaryBackend/,
    ],
    [
      'both backends missing',
      seed('envs/staging/route.yaml'),
      { ...routing, stableBackend: 'a', canaryBackend: 'b' },
      /no backendRef a or b\. .*stableBackend and canaryBackend/,
    ],
    [
      'backends never in one rule',
      'kind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n    - backendRefs: [{name: web-stable, weight: 1}]\n    - backendRefs: [{name: web-canary, weight: 1}]\n',
      routing,
      /no rule routes to both web-stable and web-canary/,
    ],
    [
      'a backend without weight',
      'kind: HTTPRoute\nmetadata: {name: r}\nspec:\n  rules:\n    - backendRefs: [{name: web-stable}, {name: web-canary, weight: 0}]\n',
      routing,
      /backendRef web-stable of HTTPRoute r in route\.yaml \(spec\.rules\[0\]\) has no weight\. Add "weight: 70"/,
    ],
    ['a weight out of range', seed('envs/staging/route.yaml'), routing, /a weight is a whole percentage/],
  ];
  for (const [name, source, r, message] of failures) {
    test(`refuses ${name}`, () =>
      assert.throws(() => gatewayApiRouter.setWeight(source, r, name === 'a weight out of range' ? 101 : 30, 'route.yaml'), isEditError(message)));
  }

  test('invalid YAML is reported by the YAML editor', () => {
    assert.throws(() => gatewayApiRouter.setWeight('kind: [\n', routing, 10, 'route.yaml'), isEditError(/route\.yaml is not valid YAML/));
  });
});
