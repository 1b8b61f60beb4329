/** What drift compares and reports (pure): managed fields, listed fields, missing objects. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeDrift } from '../../src/domain/drift.js';
import { comparedFields, findDrift, valueAt } from '../../src/providers/kube/drift.js';
import { objectKey, type DesiredObject, type KubeObject } from '../../src/providers/kube/objects.js';

const deployment = (replicas: number | undefined, image: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    ...(replicas === undefined ? {} : { replicas }),
    template: {
      spec: {
        containers: [
          { name: 'web', image, resources: { limits: { cpu: '1' } } },
          { name: 'proxy', image: 'envoy:1.30' },
        ],
      },
    },
    ...extra,
  },
});
const route = (stable: number, canary: number): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    rules: [
      {
        backendRefs: [
          { name: 'web-stable', weight: stable },
          { name: 'web-canary', weight: canary },
        ],
      },
    ],
  },
});
const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } };
const desired = (...objects: KubeObject[]): DesiredObject[] => objects.map((object) => ({ object, source: 'app.yaml' }));
const live = (...objects: (KubeObject | [KubeObject, null])[]) => new Map(objects.map((o) => (Array.isArray(o) ? [objectKey(o[0]), null] : [objectKey(o), o])));

describe('drift: compared fields', () => {
  const cases: [string, KubeObject, { kind: string; name?: string; path: string }[], string[]][] = [
    [
      'a workload: replicas and every container image',
      deployment(2, 'web:1.0.0'),
      [],
      ['spec.replicas', 'spec.template.spec.containers[name=web].image', 'spec.template.spec.containers[name=proxy].image'],
    ],
    [
      'replicas Git leaves to an autoscaler are not compared',
      deployment(undefined, 'web:1.0.0'),
      [],
      ['spec.template.spec.containers[name=web].image', 'spec.template.spec.containers[name=proxy].image'],
    ],
    ['a route: every weight', route(90, 10), [], ['spec.rules[0].backendRefs[0].weight', 'spec.rules[0].backendRefs[1].weight']],
    ['other kinds: nothing unless listed', service, [], []],
    ['a listed field of the kind', service, [{ kind: 'Service', path: 'spec.ports[0].port' }], ['spec.ports[0].port']],
    ['a listed field of another object name is not compared', service, [{ kind: 'Service', name: 'api', path: 'spec.ports[0].port' }], []],
    ['a listed field Git does not set is not compared', service, [{ kind: 'Service', path: 'spec.type' }], []],
  ];
  for (const [name, object, extra, paths] of cases) {
    test(name, () =>
      assert.deepEqual(
        comparedFields(object, extra).map((f) => f.path),
        paths,
      ),
    );
  }
});

describe('drift: findDrift', () => {
  test('nothing differs: no drift, whatever else the cluster added', () => {
    const running = { ...deployment(2, 'web:1.0.0'), status: { replicas: 2 } };
    assert.deepEqual(findDrift(desired(deployment(2, 'web:1.0.0'), route(90, 10)), live(running, route(90, 10))), []);
  });

  test('a scaled workload and a changed image, each field with both values', () => {
    const drifts = findDrift(desired(deployment(2, 'web:1.0.0')), live(deployment(5, 'web:1.0.1')));
    assert.deepEqual(drifts, [
      {
        object: 'Deployment shop/web',
        ref: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
        source: 'app.yaml',
        missing: false,
        fields: [
          { path: 'spec.replicas', desired: 2, live: 5 },
          { path: 'spec.template.spec.containers[name=web].image', desired: 'web:1.0.0', live: 'web:1.0.1' },
        ],
      },
    ]);
    assert.equal(
      describeDrift(drifts[0]!),
      'Deployment shop/web spec.replicas 5 (Git: 2), spec.template.spec.containers[name=web].image "web:1.0.1" (Git: "web:1.0.0")',
    );
  });

  test('weights shifted by hand', () => {
    const [drift] = findDrift(desired(route(90, 10)), live(route(50, 50)));
    assert.deepEqual(
      drift?.fields.map((f) => [f.path, f.live, f.desired]),
      [
        ['spec.rules[0].backendRefs[0].weight', 50, 90],
        ['spec.rules[0].backendRefs[1].weight', 50, 10],
      ],
    );
  });

  test('an object deleted from the cluster', () => {
    const [drift] = findDrift(desired(deployment(2, 'web:1.0.0')), live([deployment(2, 'web:1.0.0'), null]));
    assert.equal(drift?.missing, true);
    assert.equal(describeDrift(drift), 'Deployment shop/web is missing');
  });

  test('a listed mapping compared as a whole, key order ignored', () => {
    const extra = [{ kind: 'Deployment', path: 'spec.template.spec.containers[name=web].resources' }];
    const changed = deployment(2, 'web:1.0.0');
    (changed.spec as { template: { spec: { containers: { resources: unknown }[] } } }).template.spec.containers[0]!.resources = { limits: { cpu: '2' } };
    assert.equal(findDrift(desired(deployment(2, 'web:1.0.0')), live(changed), extra)[0]?.fields[0]?.path, 'spec.template.spec.containers[name=web].resources');
    assert.deepEqual(findDrift(desired(deployment(2, 'web:1.0.0')), live(deployment(2, 'web:1.0.0')), extra), []);
  });

  test('numbers and their strings are one value (an SMI weight read back as "10")', () => {
    assert.deepEqual(
      findDrift(
        desired(route(90, 10)),
        live({
          ...route(90, 10),
          spec: {
            rules: [
              {
                backendRefs: [
                  { name: 'web-stable', weight: '90' },
                  { name: 'web-canary', weight: 10 },
                ],
              },
            ],
          },
        }),
      ),
      [],
    );
  });

  test('objects that were not read are not reported', () => {
    assert.deepEqual(findDrift(desired(deployment(2, 'web:1.0.0')), new Map()), []);
  });
});

describe('drift: valueAt', () => {
  const o = deployment(2, 'web:1.0.0');
  const cases: [string, unknown][] = [
    ['spec.replicas', 2],
    ['spec.template.spec.containers[name=proxy].image', 'envoy:1.30'],
    ['spec.template.spec.containers[1].image', 'envoy:1.30'],
    ['spec.template.spec.containers[name=none].image', undefined],
    ['spec.nothing.here', undefined],
    ['not a [path', undefined],
  ];
  for (const [path, value] of cases) test(path, () => assert.deepEqual(valueAt(o, path), value));
});
