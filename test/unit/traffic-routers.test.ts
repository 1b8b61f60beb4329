/**
 * The Istio, SMI and replicaRatio routers (weights written, everything else byte-identical,
 * every refusal), and the live weight readers of all four kinds. Gateway API's writing is in
 * stage-changes.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { replicaSplit, routingLabels } from '../../src/domain/stage-writes.js';
import { ManifestEditError } from '../../src/manifests/yaml-edit.js';
import { applyFileEdits, planFileEdits } from '../../src/providers/git/changes.js';
import { gatewayApiRouter, type GatewayApiRouting } from '../../src/providers/traffic/gateway-api.js';
import { istioRouter, type IstioRouting } from '../../src/providers/traffic/istio.js';
import { LiveWeightError, type KubeObject } from '../../src/providers/traffic/kube-object.js';
import { readKubeObjects, readWeight, routingObjects } from '../../src/providers/traffic/live-weight.js';
import type { ReplicaRatioRouting } from '../../src/providers/traffic/replica-ratio.js';
import { smiRouter, type SmiRouting } from '../../src/providers/traffic/smi.js';
import type { TrafficRoutingSpec } from '../../src/schema/pipeline.js';
import { SEED_DIR } from '../harness/git.js';

const isEditError = (pattern: RegExp) => (e: unknown) => e instanceof ManifestEditError && pattern.test(e.message);
const isLiveError = (pattern: RegExp) => (e: unknown) => e instanceof LiveWeightError && pattern.test(e.message);

/** Replaces each [from, to] once, in order, and checks that each was there. */
function replaced(source: string, ...pairs: [string, string][]): string {
  return pairs.reduce((out, [from, to]) => {
    assert.ok(out.includes(from), `fixture holds ${JSON.stringify(from)}`);
    return out.replace(from, to);
  }, source);
}

const gateway: GatewayApiRouting = { kind: 'gatewayAPI', file: 'route.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const istio: IstioRouting = { kind: 'istio', file: 'vs.yaml', stable: { host: 'web-stable' }, canary: { host: 'web-canary' } };
const smi: SmiRouting = { kind: 'smi', file: 'split.yaml', stableBackend: 'web-stable', canaryBackend: 'web-canary' };
const ratio: ReplicaRatioRouting = { kind: 'replicaRatio', stableFile: 'stable.yaml', canaryFile: 'canary.yaml', path: 'spec.replicas', replicas: 10 };

const virtualService = `# Traffic to web (Istio).
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web.example.com]
  http:
    - name: testers
      match:
        - headers: { x-canary: { exact: "true" } }
      route:
        - destination: { host: web-canary }
          weight: 100
    - name: primary
      route:
        - destination:
            host: web-stable
            port: { number: 80 }
          weight: 100 # stable
        - destination:
            host: web-canary
          weight: 0 # canary
    - name: mobile
      route:
        - { destination: { host: web-canary }, weight: 0 }
        - { destination: { host: web-stable }, weight: 100 }
`;

const subsets = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: other
spec:
  http:
    - route:
        - destination: { host: other }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  http:
    - route:
        - destination: { host: reviews, subset: v1 }
          weight: 100
        - destination: { host: reviews, subset: v2 }
          weight: 0
`;
const bySubset: IstioRouting = { ...istio, virtualService: 'reviews', stable: { host: 'reviews', subset: 'v1' }, canary: { host: 'reviews', subset: 'v2' } };

describe('istioRouter.setWeight', () => {
  test('every http route with both destinations; single-destination routes untouched', () => {
    const out = istioRouter.setWeight(virtualService, istio, 25, 'vs.yaml');
    assert.equal(
      out,
      replaced(
        virtualService,
        ['weight: 100 # stable', 'weight: 75 # stable'],
        ['weight: 0 # canary', 'weight: 25 # canary'],
        ['{ destination: { host: web-canary }, weight: 0 }', '{ destination: { host: web-canary }, weight: 25 }'],
        ['{ destination: { host: web-stable }, weight: 100 }', '{ destination: { host: web-stable }, weight: 75 }'],
      ),
    );
  });

  test('only the http routes named in routes', () => {
    const out = istioRouter.setWeight(virtualService, { ...istio, routes: ['mobile'] }, 10, 'vs.yaml');
    assert.equal(
      out,
      replaced(
        virtualService,
        ['{ destination: { host: web-canary }, weight: 0 }', '{ destination: { host: web-canary }, weight: 10 }'],
        ['{ destination: { host: web-stable }, weight: 100 }', '{ destination: { host: web-stable }, weight: 90 }'],
      ),
    );
  });

  test('destinations told apart by subset, in the named VirtualService of several', () => {
    const out = istioRouter.setWeight(subsets, bySubset, 50, 'vs.yaml');
    assert.equal(
      out,
      replaced(
        subsets,
        ['subset: v1 }\n          weight: 100', 'subset: v1 }\n          weight: 50'],
        ['subset: v2 }\n          weight: 0', 'subset: v2 }\n          weight: 50'],
      ),
    );
  });

  test('setting what is already there changes nothing', () => {
    assert.equal(istioRouter.setWeight(virtualService, istio, 0, 'vs.yaml'), virtualService);
  });

  const noWeight =
    'kind: VirtualService\nmetadata: {name: web}\nspec:\n  http:\n    - route:\n        - destination: {host: web-stable}\n          weight: 100\n        - destination: {host: web-canary}\n';
  const failures: [string, string, IstioRouting, RegExp][] = [
    [
      'several VirtualServices and none named',
      subsets,
      istio,
      /vs\.yaml holds 2 VirtualServices \(other, reviews\)\. Name the one ramp edits in trafficRouting\.istio\.virtualService/,
    ],
    [
      'an unknown VirtualService name',
      subsets,
      { ...istio, virtualService: 'nope' },
      /vs\.yaml holds no VirtualService named nope \(it holds other, reviews\)\. Correct trafficRouting\.istio\.virtualService/,
    ],
    [
      'no VirtualService at all',
      'kind: Service\n',
      istio,
      /vs\.yaml holds no VirtualService\. Point trafficRouting\.istio\.file at the file of the VirtualService that splits traffic between web-stable and web-canary/,
    ],
    [
      'an unknown http route name',
      virtualService,
      { ...istio, routes: ['primary', 'desktop'] },
      /VirtualService web in vs\.yaml has no http route named desktop \(its named http routes are testers, primary, mobile\)\. Correct trafficRouting\.istio\.routes/,
    ],
    [
      'a named route without both destinations',
      virtualService,
      { ...istio, routes: ['testers', 'primary'] },
      /http route testers \(spec\.http\[0\] "testers"\) has no destination web-stable\. Route it to both web-stable and web-canary, or leave it out of trafficRouting\.istio\.routes/,
    ],
    [
      'a missing canary destination',
      virtualService,
      { ...istio, canary: { host: 'web-preview' } },
      /VirtualService web in vs\.yaml: no http route has the destination web-preview\. Add the destination to the route, or correct trafficRouting\.istio\.canary/,
    ],
    [
      'both destinations missing',
      virtualService,
      { ...istio, stable: { host: 'a' }, canary: { host: 'b', subset: 'v2' } },
      /no http route has the destination a or b\/v2\. .*trafficRouting\.istio\.stable and canary/,
    ],
    [
      'destinations never in one route',
      'kind: VirtualService\nmetadata: {name: web}\nspec:\n  http:\n    - route: [{destination: {host: web-stable}, weight: 100}]\n    - route: [{destination: {host: web-canary}, weight: 0}]\n',
      istio,
      /no http route routes to both web-stable and web-canary\. Put both destinations in the http route that serves the traffic/,
    ],
    [
      'a destination without weight',
      noWeight,
      istio,
      /destination web-canary of VirtualService web in vs\.yaml \(spec\.http\[0\]\) has no weight\. Add "weight: 30" beside its destination \(in route\[1\]\)/,
    ],
    [
      'a destination matching two entries',
      subsets,
      { ...bySubset, stable: { host: 'reviews' } },
      /2 destinations of VirtualService reviews in vs\.yaml \(spec\.http\[0\], route\[0\], route\[1\]\) match the stable destination reviews\. Give trafficRouting\.istio\.stable the subset/,
    ],
    [
      'one entry matching both',
      'kind: VirtualService\nmetadata: {name: web}\nspec:\n  http:\n    - route: [{destination: {host: web}, weight: 100}]\n',
      { ...istio, stable: { host: 'web' }, canary: { host: 'web' } },
      /route\[0\] of VirtualService web in vs\.yaml \(spec\.http\[0\]\) matches both the stable and the canary destination/,
    ],
    ['a weight out of range', virtualService, istio, /cannot set a canary weight of 101 in vs\.yaml: a weight is a whole percentage/],
  ];
  for (const [name, source, routing, message] of failures) {
    test(`refuses ${name}`, () =>
      assert.throws(() => istioRouter.setWeight(source, routing, name === 'a weight out of range' ? 101 : 30, 'vs.yaml'), isEditError(message)));
  }

  test('invalid YAML is reported by the YAML editor', () => {
    assert.throws(() => istioRouter.setWeight('kind: [\n', istio, 10, 'vs.yaml'), isEditError(/vs\.yaml is not valid YAML/));
  });
});

const trafficSplit = `apiVersion: split.smi-spec.io/v1alpha2
kind: TrafficSplit
metadata:
  name: web
spec:
  service: web # the root Service clients call
  backends:
    - service: web-stable
      weight: 100 # stable
    - service: web-other
      weight: 0
    - { service: web-canary, weight: 0 }
`;

describe('smiRouter.setWeight', () => {
  test('the two backends, other backends untouched', () => {
    const out = smiRouter.setWeight(trafficSplit, smi, 40, 'split.yaml');
    assert.equal(
      out,
      replaced(trafficSplit, ['weight: 100 # stable', 'weight: 60 # stable'], ['{ service: web-canary, weight: 0 }', '{ service: web-canary, weight: 40 }']),
    );
  });

  test('the named TrafficSplit of several', () => {
    const two = `${trafficSplit}---\n${trafficSplit.replace('name: web\n', 'name: api\n')}`;
    const out = smiRouter.setWeight(two, { ...smi, trafficSplit: 'api' }, 100, 'split.yaml');
    const [first, second] = out.split('---\n');
    assert.equal(first, trafficSplit);
    assert.match(second!, /service: web-stable\n {6}weight: 0 # stable/);
    assert.match(second!, /\{ service: web-canary, weight: 100 \}/);
  });

  const failures: [string, string, SmiRouting, RegExp][] = [
    [
      'several TrafficSplits and none named',
      `${trafficSplit}---\n${trafficSplit.replace('name: web\n', 'name: api\n')}`,
      smi,
      /split\.yaml holds 2 TrafficSplits \(web, api\)\. Name the one ramp edits in trafficRouting\.smi\.trafficSplit/,
    ],
    [
      'an unknown TrafficSplit name',
      trafficSplit,
      { ...smi, trafficSplit: 'api' },
      /split\.yaml holds no TrafficSplit named api \(it holds web\)\. Correct trafficRouting\.smi\.trafficSplit/,
    ],
    ['no TrafficSplit at all', 'kind: Service\n', smi, /split\.yaml holds no TrafficSplit\. Point trafficRouting\.smi\.file/],
    [
      'a missing canary backend',
      trafficSplit,
      { ...smi, canaryBackend: 'web-preview' },
      /TrafficSplit web in split\.yaml: it has no backend web-preview in spec\.backends\. Add the backend to the TrafficSplit, or correct trafficRouting\.smi\.canaryBackend/,
    ],
    [
      'both backends missing',
      trafficSplit,
      { ...smi, stableBackend: 'a', canaryBackend: 'b' },
      /no backend a or b in spec\.backends\. .*trafficRouting\.smi\.stableBackend and canaryBackend/,
    ],
    [
      'a backend without weight',
      'kind: TrafficSplit\nmetadata: {name: s}\nspec:\n  backends: [{service: web-stable}, {service: web-canary, weight: 0}]\n',
      smi,
      /backend web-stable of TrafficSplit s in split\.yaml \(spec\.backends\[0\]\) has no weight\. Add "weight: 70"/,
    ],
    ['a fractional weight', trafficSplit, smi, /cannot set a canary weight of 2\.5 in split\.yaml/],
  ];
  for (const [name, source, routing, message] of failures) {
    test(`refuses ${name}`, () =>
      assert.throws(() => smiRouter.setWeight(source, routing, name === 'a fractional weight' ? 2.5 : 30, 'split.yaml'), isEditError(message)));
  }
});

const stableDeployment = `# The stable track.
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-stable
spec:
  replicas: 10 # all of them between promotions
  template: {}
`;
const canaryDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-canary
spec:
  replicas: 0 # no canary running
`;
const workloads: Record<string, string> = { 'envs/staging/stable.yaml': stableDeployment, 'envs/staging/canary.yaml': canaryDeployment };

/** Plans and applies a replicaRatio setWeight on the two workload files. */
function ratioEdit(routing: ReplicaRatioRouting, weight: number): Record<string, string> {
  const out = { ...workloads };
  for (const fileEdits of planFileEdits({ stagePath: 'envs/staging', image: 'web', version: '1.1.0', changes: [{ kind: 'setWeight', routing, weight }] })) {
    out[fileEdits.file] = applyFileEdits(out[fileEdits.file]!, fileEdits);
  }
  return out;
}

describe('replicaRatio planning', () => {
  // [replicas, weight, stable, canary]: the canary gets ceil(replicas * weight / 100).
  const table: [number, number, number, number][] = [
    [1, 0, 1, 0],
    [1, 1, 0, 1],
    [1, 10, 0, 1],
    [1, 33, 0, 1],
    [1, 50, 0, 1],
    [1, 100, 0, 1],
    [3, 0, 3, 0],
    [3, 1, 2, 1],
    [3, 10, 2, 1],
    [3, 33, 2, 1],
    [3, 50, 1, 2],
    [3, 100, 0, 3],
    [10, 0, 10, 0],
    [10, 1, 9, 1],
    [10, 10, 9, 1],
    [10, 33, 6, 4],
    [10, 50, 5, 5],
    [10, 100, 0, 10],
  ];
  for (const [replicas, weight, stable, canary] of table) {
    test(`${replicas} replicas at ${weight}%: ${stable} stable, ${canary} canary`, () => {
      assert.deepEqual(replicaSplit(replicas, weight), { stable, canary });
      const out = ratioEdit({ ...ratio, replicas }, weight);
      assert.equal(out['envs/staging/stable.yaml'], stableDeployment.replace('replicas: 10 #', `replicas: ${stable} #`));
      assert.equal(out['envs/staging/canary.yaml'], canaryDeployment.replace('replicas: 0 #', `replicas: ${canary} #`));
    });
  }

  test('two field edits, one per workload file, relative to the stage', () => {
    const plan = planFileEdits({
      stagePath: 'envs/staging',
      image: 'web',
      version: '1',
      changes: [{ kind: 'setWeight', routing: { ...ratio, path: 'spec.count' }, weight: 20 }],
    });
    assert.deepEqual(plan, [
      { file: 'envs/staging/stable.yaml', edits: [{ kind: 'field', field: { path: 'spec.count', value: 8 }, what: 'spec.count (the stable replicas)' }] },
      { file: 'envs/staging/canary.yaml', edits: [{ kind: 'field', field: { path: 'spec.count', value: 2 }, what: 'spec.count (the canary replicas)' }] },
    ]);
  });

  test('refuses a weight out of range, naming both files', () => {
    assert.throws(() => ratioEdit(ratio, -5), isEditError(/cannot set a canary weight of -5 in stable\.yaml and canary\.yaml: a weight is a whole percentage/));
  });

  test('a workload without the field says how to fix it', () => {
    assert.throws(
      () => ratioEdit({ ...ratio, path: 'spec.count' }, 10),
      isEditError(/cannot set spec\.count in envs\/staging\/stable\.yaml: no such field\. Add the field to the file, or correct the path/),
    );
  });
});

describe('routingLabels ({{ramp.canary}} / {{ramp.stable}})', () => {
  const cases: [string, TrafficRoutingSpec | undefined, { canary?: string; stable?: string }][] = [
    ['gatewayAPI: backend names', gateway, { canary: 'web-canary', stable: 'web-stable' }],
    ['smi: backend names', { ...smi, stableBackend: 's', canaryBackend: 'c' }, { canary: 'c', stable: 's' }],
    ['istio: destination hosts', bySubset, { canary: 'reviews', stable: 'reviews' }],
    ['replicaRatio: none', ratio, {}],
    ['no routing: none', undefined, {}],
  ];
  for (const [name, routing, labels] of cases) test(name, () => assert.deepEqual(routingLabels(routing), labels));
});

/** A plain object as read from a cluster: no source, a namespace, maybe a newer version. */
function live(apiVersion: string, kind: string, name: string, spec: unknown): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: 'shop' }, spec, status: {} };
}
const services = readKubeObjects(readFileSync(path.join(SEED_DIR, 'envs/staging/services.yaml'), 'utf8'), 'services.yaml');

describe('live weight', () => {
  test('readKubeObjects: Kubernetes objects with their source, other documents skipped', () => {
    const objects = readKubeObjects(`${stableDeployment}---\n# empty\n---\nresources: [a.yaml]\n`, './stable.yaml');
    assert.deepEqual(
      objects.map((o) => [o.kind, o.metadata.name, o.source]),
      [
        ['Service', 'web', './stable.yaml'],
        ['Deployment', 'web-stable', './stable.yaml'],
      ],
    );
    assert.deepEqual(objects[1]!.spec, { replicas: 10, template: {} });
    assert.throws(() => readKubeObjects('kind: [\n', 'x.yaml'), isLiveError(/x\.yaml is not valid YAML/));
  });

  const seedRoute = readFileSync(path.join(SEED_DIR, 'envs/staging/route.yaml'), 'utf8');

  test('gatewayAPI: the HTTPRoute of the file, and the weight it holds', () => {
    const desired = [...services, ...readKubeObjects(seedRoute, 'route.yaml')];
    const refs = routingObjects(gateway, desired);
    assert.deepEqual(refs, [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'web' }]);
    assert.deepEqual(readWeight(gateway, desired), { weight: 0, parts: { 'web-stable': 100, 'web-canary': 0 } });
    const cluster = [
      live('gateway.networking.k8s.io/v1beta1', 'HTTPRoute', 'web', {
        rules: [
          {
            backendRefs: [
              { name: 'web-canary', weight: 10 },
              { name: 'web-stable', weight: 90 },
            ],
          },
        ],
      }),
    ];
    assert.deepEqual(readWeight(gateway, cluster, refs), { weight: 10, parts: { 'web-stable': 90, 'web-canary': 10 } });
  });

  test('gatewayAPI: a backendRef without weight counts 1 (the API default)', () => {
    const cluster = [live('gateway.networking.k8s.io/v1', 'HTTPRoute', 'web', { rules: [{ backendRefs: [{ name: 'web-stable' }, { name: 'web-canary' }] }] })];
    assert.deepEqual(readWeight(gateway, cluster), { weight: 50, parts: { 'web-stable': 1, 'web-canary': 1 } });
  });

  test('every router reads back the weight it wrote', () => {
    const files: [TrafficRoutingSpec & { file: string }, string, (source: string, weight: number) => string][] = [
      [gateway, seedRoute, (s, w) => gatewayApiRouter.setWeight(s, gateway, w, 'route.yaml')],
      [istio, virtualService, (s, w) => istioRouter.setWeight(s, istio, w, 'vs.yaml')],
      [bySubset, subsets, (s, w) => istioRouter.setWeight(s, bySubset, w, 'vs.yaml')],
      [smi, trafficSplit, (s, w) => smiRouter.setWeight(s, smi, w, 'split.yaml')],
    ];
    for (const [routing, source, write] of files) {
      for (const weight of [0, 1, 10, 33, 50, 100]) {
        const desired = readKubeObjects(write(source, weight), routing.file);
        assert.equal(readWeight(routing, desired).weight, weight, `${routing.kind} at ${weight}`);
      }
    }
    for (const weight of [0, 10, 50, 100]) {
      const out = ratioEdit(ratio, weight);
      const desired = [
        ...readKubeObjects(out['envs/staging/stable.yaml']!, 'stable.yaml'),
        ...readKubeObjects(out['envs/staging/canary.yaml']!, 'canary.yaml'),
      ];
      assert.equal(readWeight(ratio, desired).weight, weight, `replicaRatio at ${weight}`);
    }
  });

  test('istio: parts by host, or host/subset; a destination without weight counts 0', () => {
    assert.deepEqual(readWeight(istio, readKubeObjects(istioRouter.setWeight(virtualService, istio, 20, 'vs.yaml'), 'vs.yaml')), {
      weight: 20,
      parts: { 'web-stable': 80, 'web-canary': 20 },
    });
    const refs = routingObjects(bySubset, readKubeObjects(subsets, 'vs.yaml'));
    assert.deepEqual(refs, [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'reviews' }]);
    const cluster = [
      live('networking.istio.io/v1beta1', 'VirtualService', 'reviews', {
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }, { destination: { host: 'reviews', subset: 'v2' } }] }],
      }),
    ];
    assert.deepEqual(readWeight(bySubset, cluster, refs), { weight: 0, parts: { 'reviews/v1': 100, 'reviews/v2': 0 } });
  });

  test('istio: only the named routes count', () => {
    const desired = readKubeObjects(istioRouter.setWeight(virtualService, { ...istio, routes: ['mobile'] }, 30, 'vs.yaml'), 'vs.yaml');
    assert.equal(readWeight({ ...istio, routes: ['mobile'] }, desired).weight, 30);
    assert.throws(
      () => readWeight(istio, desired),
      isLiveError(
        /VirtualService web splits traffic differently in spec\.http\[1\] "primary" \(100\/0\) and spec\.http\[2\] "mobile" \(70\/30\)\. ramp writes every split alike/,
      ),
    );
  });

  test('smi: weights as quantities (v1alpha1) and numbers', () => {
    const cluster = [
      live('split.smi-spec.io/v1alpha1', 'TrafficSplit', 'web', {
        backends: [
          { service: 'web-stable', weight: '900m' },
          { service: 'web-canary', weight: '100m' },
        ],
      }),
    ];
    assert.deepEqual(readWeight(smi, cluster), { weight: 10, parts: { 'web-stable': 0.9, 'web-canary': 0.1 } });
  });

  test('replicaRatio: the workloads in the two files, by the field ramp edits', () => {
    const out = ratioEdit(ratio, 33);
    const desired = [
      ...services,
      ...readKubeObjects(out['envs/staging/stable.yaml']!, 'stable.yaml'),
      ...readKubeObjects(out['envs/staging/canary.yaml']!, './canary.yaml'),
    ];
    const refs = routingObjects(ratio, desired);
    assert.deepEqual(refs, [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-stable' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-canary' },
    ]);
    assert.deepEqual(readWeight(ratio, desired, refs), { weight: 40, parts: { 'web-stable': 6, 'web-canary': 4 } });
    const cluster = [live('apps/v1', 'Deployment', 'web-canary', { replicas: 4 }), live('apps/v1', 'Deployment', 'web-stable', { replicas: 10 })];
    assert.deepEqual(readWeight(ratio, cluster, refs), { weight: 29, parts: { 'web-stable': 10, 'web-canary': 4 } });
    const none = [live('apps/v1', 'Deployment', 'web-canary', { replicas: 0 }), live('apps/v1', 'Deployment', 'web-stable', { replicas: 0 })];
    assert.deepEqual(readWeight(ratio, none, refs), { weight: 0, parts: { 'web-stable': 0, 'web-canary': 0 } });
  });

  test('objects of other files, kinds or groups do not count', () => {
    const elsewhere = readKubeObjects(seedRoute.replace('name: web\n', 'name: old\n'), 'old-route.yaml');
    const desired = [...elsewhere, ...readKubeObjects(seedRoute, 'route.yaml')];
    assert.deepEqual(
      routingObjects(gateway, desired).map((r) => r.name),
      ['web'],
    );
    const ref = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'web' };
    const cluster = [live('example.com/v1', 'HTTPRoute', 'web', { rules: [] })];
    assert.throws(
      () => readWeight(gateway, cluster, [ref]),
      isLiveError(/HTTPRoute web is not among the objects read\. Read it \(GET gateway\.networking\.k8s\.io\/v1 HTTPRoute web\)/),
    );
  });

  const route = (name: string, stable = 'web-stable'): KubeObject =>
    live('gateway.networking.k8s.io/v1', 'HTTPRoute', name, {
      rules: [
        {
          backendRefs: [
            { name: stable, weight: 100 },
            { name: 'web-canary', weight: 0 },
          ],
        },
      ],
    });
  const failures: [string, () => unknown, RegExp][] = [
    [
      'several routes to both, none named',
      () => routingObjects(gateway, [route('a'), route('b'), route('c', 'x')]),
      /2 HTTPRoutes among the objects route to both web-stable and web-canary \(HTTPRoute shop\/a, HTTPRoute shop\/b\)\. Name the one ramp edits in trafficRouting\.gatewayAPI\.route/,
    ],
    [
      'a route to only one of them',
      () => routingObjects(gateway, [route('c', 'x')]),
      /no HTTPRoute among the objects routes to both web-stable and web-canary \(there is HTTPRoute shop\/c\)/,
    ],
    [
      'no route in the file',
      () => routingObjects(gateway, readKubeObjects(seedRoute, 'other.yaml')),
      /there is no HTTPRoute among the objects of route\.yaml\. Point trafficRouting\.gatewayAPI\.file/,
    ],
    [
      'an unknown route name',
      () => routingObjects({ ...gateway, route: 'nope' }, [route('a'), route('b')]),
      /there is no HTTPRoute named nope among the objects \(there are HTTPRoute shop\/a, HTTPRoute shop\/b\)\. Correct trafficRouting\.gatewayAPI\.route/,
    ],
    [
      'one name in two namespaces',
      () => routingObjects({ ...gateway, route: 'a' }, [route('a'), { ...route('a'), metadata: { name: 'a', namespace: 'other' } }]),
      /there are 2 HTTPRoutes named a among the objects/,
    ],
    [
      'rules that disagree',
      () =>
        readWeight(gateway, [
          live('gateway.networking.k8s.io/v1', 'HTTPRoute', 'a', {
            rules: [
              {
                backendRefs: [
                  { name: 'web-stable', weight: 90 },
                  { name: 'web-canary', weight: 10 },
                ],
              },
              {
                backendRefs: [
                  { name: 'web-stable', weight: 50 },
                  { name: 'web-canary', weight: 50 },
                ],
              },
            ],
          }),
        ]),
      /HTTPRoute shop\/a splits traffic differently in spec\.rules\[0\] \(90\/10\) and spec\.rules\[1\] \(50\/50\)/,
    ],
    [
      'a weight that is not a number',
      () =>
        readWeight(smi, [
          live('split.smi-spec.io/v1alpha4', 'TrafficSplit', 'web', {
            backends: [
              { service: 'web-stable', weight: 'lots' },
              { service: 'web-canary', weight: 1 },
            ],
          }),
        ]),
      /backend web-stable of TrafficSplit shop\/web has the weight "lots", which is not a number/,
    ],
    [
      'a file router given two refs',
      () =>
        readWeight(
          gateway,
          [route('a')],
          [
            { apiVersion: 'v1', kind: 'HTTPRoute', name: 'a' },
            { apiVersion: 'v1', kind: 'HTTPRoute', name: 'b' },
          ],
        ),
      /trafficRouting\.gatewayAPI reads one HTTPRoute, but 2 objects were named/,
    ],
    [
      'replicaRatio over objects without sources',
      () => routingObjects(ratio, [live('apps/v1', 'Deployment', 'web-stable', { replicas: 1 })]),
      /the objects carry no source file, so ramp cannot tell which workloads replicaRatio\.stableFile and canaryFile hold/,
    ],
    [
      'replicaRatio: a file without the field',
      () =>
        routingObjects(ratio, [
          ...readKubeObjects(stableDeployment, 'stable.yaml'),
          ...readKubeObjects(canaryDeployment.replace('replicas', 'paused'), 'canary.yaml'),
        ]),
      /canary\.yaml holds no object with spec\.replicas \(it holds Deployment web-canary\)\. Correct trafficRouting\.replicaRatio\.canaryFile or path/,
    ],
    [
      'replicaRatio: one workload in both files',
      () => routingObjects(ratio, [...readKubeObjects(canaryDeployment, 'stable.yaml'), ...readKubeObjects(canaryDeployment, 'canary.yaml')]),
      /stableFile and canaryFile both hold Deployment web-canary/,
    ],
    [
      'replicaRatio: a live workload missing',
      () =>
        readWeight(
          ratio,
          [live('apps/v1', 'Deployment', 'web-stable', { replicas: 1 })],
          [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-stable' },
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-canary' },
          ],
        ),
      /Deployment web-canary is not among the objects read/,
    ],
    [
      'replicaRatio: a live workload without replicas',
      () =>
        readWeight(
          ratio,
          [live('apps/v1', 'Deployment', 'web-stable', { replicas: 1 }), live('apps/v1', 'Deployment', 'web-canary', {})],
          [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-stable' },
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-canary' },
          ],
        ),
      /Deployment shop\/web-canary has no spec\.replicas/,
    ],
    [
      'replicaRatio given one ref',
      () => readWeight(ratio, [], [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-stable' }]),
      /reads two workloads \(stable, canary\), but 1 were named/,
    ],
  ];
  for (const [name, run, message] of failures) test(`refuses ${name}`, () => assert.throws(run, isLiveError(message)));
});
