/** Surgical YAML edits: only the edited scalar's text changes, in the style it had. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editYaml, ManifestEditError, readYamlField } from '../../src/manifests/yaml-edit.js';

const deployment = `# The canary track.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-canary   # keep this name
spec:
  replicas: 0 # no canary running
  template:
    spec:
      containers:
        - name: sidecar
          image: "envoy:1.30"
        - name: web
          image: web:1.0.0    # set by ramp
          ports: [{ containerPort: 8080 }]
`;

describe('editYaml', () => {
  test('changes exactly the edited values and nothing else', () => {
    const out = editYaml(
      deployment,
      [
        { path: 'spec.template.spec.containers[name=web].image', value: 'web:1.1.0' },
        { path: 'spec.replicas', value: 2 },
      ],
      'canary.yaml',
    );
    assert.equal(out, deployment.replace('image: web:1.0.0    #', 'image: web:1.1.0    #').replace('replicas: 0 #', 'replicas: 2 #'));
  });

  const styles: [string, string, string, string][] = [
    ['double quotes stay double', 'spec.template.spec.containers[0].image', 'envoy:1.31', 'image: "envoy:1.31"'],
    ['plain stays plain', 'spec.template.spec.containers[1].image', 'registry.example.com/web:2.0.0', 'image: registry.example.com/web:2.0.0    #'],
    ['plain is quoted when it would not read back as the same string', 'metadata.name', 'true', 'name: "true"   #'],
    ['a value that looks like a comment is quoted', 'metadata.name', 'a #b', 'name: "a #b"   #'],
    ['inside a flow mapping', 'spec.template.spec.containers[name=web].ports[0].containerPort', '9090', 'ports: [{ containerPort: "9090" }]'],
  ];
  for (const [name, path, value, expected] of styles) {
    test(name, () => assert.ok(editYaml(deployment, [{ path, value }], 'f.yaml').includes(expected)));
  }

  test('single quotes stay single, with quotes escaped', () => {
    assert.equal(editYaml("tag: 'v1'\n", [{ path: 'tag', value: "it's" }], 'f.yaml'), "tag: 'it''s'\n");
  });

  test('finds the path in the first document that has it', () => {
    const multi = 'kind: Service\nmetadata:\n  name: a\n---\nkind: Deployment\nspec:\n  replicas: 1\n';
    assert.equal(editYaml(multi, [{ path: 'spec.replicas', value: 3 }], 'f.yaml'), multi.replace('replicas: 1', 'replicas: 3'));
  });

  const failures: [string, string, RegExp][] = [
    ['a missing field', 'spec.strategy.type', /cannot set spec\.strategy\.type in f\.yaml: no such field/],
    ['no list item matches', 'spec.template.spec.containers[name=api].image', /no such field/],
    ['a mapping, not a value', 'spec.template', /holds a mapping, not a value/],
    ['a bad path', 'spec..replicas', /is not a YAML path/],
  ];
  for (const [name, path, message] of failures) {
    test(`refuses ${name}`, () =>
      assert.throws(
        () => editYaml(deployment, [{ path, value: 'x' }], 'f.yaml'),
        (e: Error) => e instanceof ManifestEditError && message.test(e.message),
      ));
  }

  test('refuses a file that is not valid YAML', () => {
    assert.throws(() => editYaml('a: [1\n', [{ path: 'a', value: 1 }], 'bad.yaml'), /bad\.yaml is not valid YAML/);
  });
});

describe('readYamlField', () => {
  test('reads scalars by path, undefined when absent', () => {
    assert.equal(readYamlField(deployment, 'spec.template.spec.containers[name=web].image'), 'web:1.0.0');
    assert.equal(readYamlField(deployment, 'spec.replicas'), 0);
    assert.equal(readYamlField(deployment, 'spec.nothing'), undefined);
  });
});
