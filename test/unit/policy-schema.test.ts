/**
 * Policies at validate time: `when` type-checked against the policy input, `require` exactly with
 * require-approval, every problem located at its line — in a pipeline's spec.policies, in an
 * organisation policy file and in a cases file — and `ramp policy test` on the examples of
 * pipelines/ (they pass), a failing case (what differed) and a broken cases file (file:line).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createPolicyActivities } from '../../activities/policies.js';
import { main } from '../../cli/main.js';
import { readWorkerConfig } from '../../worker/config.js';
import { loadCasesSource } from '../../src/governance/policy-cases.js';
import { fileKind, loadPolicySource } from '../../src/governance/policy-file.js';
import { formatPath } from '../../src/schema/issue.js';
import { loadPipelineSource } from '../../src/schema/load.js';
import { seedPipeline, pipelineYaml } from '../support/pipelines.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function pipelineFindings(policies: string): string[] {
  const result = loadPipelineSource(pipelineYaml({ name: 'web', policies, stages: { preview: {} } }), 'p.yaml');
  return result.ok ? [] : result.errors.map((e) => `${e.line}:${e.column} ${formatPath(e.path)}: ${e.message}`);
}

const one = (fields: string) => `    - name: p\n      at: [stage-start]\n      message: m\n${fields}`;

describe('policies at validate time', () => {
  const rows: { what: string; fields: string; finding: RegExp | null }[] = [
    { what: 'a valid deny', fields: '      when: stage.name == "production"\n      effect: deny', finding: null },
    {
      what: 'a typo in a field',
      fields: '      when: stage.nme == "production"\n      effect: deny',
      finding: /^\d+:\d+ spec\.policies\[0\]\.when: when is not a valid policy condition: .*nme/,
    },
    {
      what: 'an unknown variable',
      fields: '      when: pipeline == "web"\n      effect: deny',
      finding: /spec\.policies\[0\]\.when: when is not a valid policy condition: .*pipeline/,
    },
    { what: 'not a bool', fields: '      when: stage.name\n      effect: deny', finding: /evaluates to string, not bool/ },
    { what: 'an int compared with a string', fields: '      when: diff.changedLines == "3"\n      effect: deny', finding: /spec\.policies\[0\]\.when/ },
    {
      what: 'require-approval without require',
      fields: '      when: "true"\n      effect: require-approval',
      finding: /spec\.policies\[0\]\.effect: effect require-approval needs require/,
    },
    {
      what: 'require-approval with a bad rule',
      fields: '      when: "true"\n      effect: require-approval\n      require: sre',
      finding: /spec\.policies\[0\]\.require: .*not a rule/,
    },
    {
      what: 'require without require-approval',
      fields: '      when: "true"\n      effect: warn\n      require: 1 of group:sre',
      finding: /require applies only to effect require-approval/,
    },
    { what: 'a valid require-approval', fields: '      when: "true"\n      effect: require-approval\n      require: 1 of group:sre', finding: null },
  ];
  for (const row of rows) {
    test(row.what, () => {
      const findings = pipelineFindings(one(row.fields));
      if (row.finding === null) assert.deepEqual(findings, []);
      else
        assert.ok(
          findings.some((f) => row.finding!.test(f)),
          findings.join('\n') || '(no findings)',
        );
    });
  }

  test('the finding points at the line of `when`', () => {
    const yaml = pipelineYaml({ name: 'web', policies: one('      when: stage.nme == "x"\n      effect: deny'), stages: { preview: {} } });
    const line = yaml.split('\n').findIndex((l) => l.includes('stage.nme')) + 1;
    const result = loadPipelineSource(yaml, 'p.yaml');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.errors[0]!.line, line);
  });

  test('a pipeline with policies normalises them as written', () => {
    const spec = seedPipeline({ policies: one('      when: "true"\n      effect: warn'), stages: { preview: {} } });
    assert.deepEqual(spec.policies, [{ name: 'p', at: ['stage-start'], message: 'm', when: 'true', effect: 'warn' }]);
  });
});

describe('organisation policy files and cases files', () => {
  test('kinds tell policy files and cases files from pipelines', () => {
    assert.equal(fileKind('apiVersion: ramp/v1\nkind: Policies\n'), 'policies');
    assert.equal(fileKind('kind: PolicyTests\ncases: []\n'), 'policy-tests');
    assert.equal(fileKind('kind: Pipeline\n'), 'pipeline');
  });

  test('a policy file: problems located, a pipeline selector', () => {
    const bad =
      'apiVersion: ramp/v1\nkind: Policies\nmetadata: { name: org }\npolicies:\n  - name: p\n    at: [never]\n    when: "true"\n    effect: deny\n    message: m\n';
    const result = loadPolicySource(bad, 'org.yaml');
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${formatPath(e.path)}`), ['org.yaml:6:10 policies[0].at[0]']);
    const good = loadPolicySource(bad.replace('never', 'commit').replace('policies:\n', 'pipelines: [web]\npolicies:\n'), 'org.yaml');
    assert.equal(good.ok && good.value.pipelines?.[0], 'web');
  });

  test('a cases file: unknown fields, a policy that does not exist, bad instants — each at its line', () => {
    const source = [
      'cases:',
      '  - name: a',
      '    checkpoint: stage-start',
      '    input: { stage: { nme: production } }',
      '    expect: deny',
      '  - name: b',
      '    checkpoint: commit',
      '    expect: deny',
      '    policy: nope',
      '  - name: c',
      '    checkpoint: commit',
      '    input: { now: friday }',
      '    expect: maybe',
      '',
    ].join('\n');
    const result = loadCasesSource(source, 'c.yaml', [{ name: 'p', at: ['commit'], when: 'true', effect: 'deny', message: 'm' }]);
    assert.equal(result.ok, false);
    const found = !result.ok ? result.errors.map((e) => `${e.line} ${formatPath(e.path)}`) : [];
    assert.deepEqual(found, ['4 cases[0].input.stage.nme', '12 cases[2].input.now', '13 cases[2].expect']);
    // Once the shape is right, a policy name that does not exist.
    const names = loadCasesSource(source.split('  - name: c')[0]!.replace('nme', 'name'), 'c.yaml', [
      { name: 'p', at: ['commit'], when: 'true', effect: 'deny', message: 'm' },
    ]);
    assert.deepEqual(!names.ok && names.errors.map((e) => `${e.line} ${formatPath(e.path)} ${e.message}`), [
      '9 cases[1].policy no policy is named "nope". The file under test has p',
    ]);
  });
});

describe('ramp policy test', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'ramp-policy-'))));
  after(() => rm(dir, { recursive: true, force: true }));
  const ramp = async (args: string[]) => {
    let stdout = '';
    const code = await main(['policy', 'test', ...args], { stdout: (t) => (stdout += t), stderr: () => {}, isTty: false, cwd: root });
    return { code, stdout };
  };

  test('the examples of pipelines/ pass', async () => {
    const org = await ramp(['pipelines/policies/org.yaml', 'pipelines/policies/org.cases.yaml']);
    assert.equal(org.code, 0, org.stdout);
    assert.match(org.stdout, /^PASS {2}Friday 15:30 in Berlin, production needs an SRE \(stage-start\): require-approval$/m);
    assert.match(org.stdout, /^8 cases passed$/m);
    const web = await ramp(['pipelines/web.yaml', 'pipelines/policies/web.cases.yaml']);
    assert.equal(web.code, 0, web.stdout);
  });

  test('a failing case says what differed and exits 1; --json for scripts', async () => {
    const cases = join(dir, 'fail.yaml');
    await writeFile(
      cases,
      'cases:\n  - name: friday\n    checkpoint: stage-start\n    input: { stage: { name: production }, now: "2026-11-27T16:00:00+01:00" }\n    expect: allow\n',
    );
    const run = await ramp(['pipelines/policies/org.yaml', cases]);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /^FAIL {2}friday \(stage-start\): expected allow, got require-approval \(friday-afternoon-production: require-approval; recent-rollback: allow\)$/m,
    );
    const json = await ramp(['--json', 'pipelines/policies/org.yaml', cases]);
    const parsed = JSON.parse(json.stdout) as { policies: { hash: string }[]; cases: { pass: boolean; got: string }[] };
    assert.deepEqual(
      parsed.cases.map((c) => [c.pass, c.got]),
      [[false, 'require-approval']],
    );
    assert.ok(parsed.policies.every((p) => /^[0-9a-f]{64}$/.test(p.hash)));
  });

  test('a broken cases file is reported at file:line and exits 1', async () => {
    const cases = join(dir, 'broken.yaml');
    await writeFile(cases, 'cases:\n  - name: x\n    checkpoint: sometime\n    expect: allow\n');
    const run = await ramp(['pipelines/policies/org.yaml', cases]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /broken\.yaml:3:17 {2}cases\[0\]\.checkpoint {2}error: /);
  });
});

describe('loadPolicies (the worker pins a promotion’s policies)', () => {
  test('the pipeline’s, then each RAMP_POLICY_FILES file’s that select the pipeline, with hash and source', async () => {
    const org = join(root, 'pipelines/policies/org.yaml');
    const activities = createPolicyActivities({ repositories: null as never, policyFiles: [org] });
    const own = { name: 'own', at: ['commit' as const], when: 'true', effect: 'warn' as const, message: 'm' };
    const pinned = await activities.loadPolicies({ pipeline: 'web', policies: [own] });
    assert.deepEqual(
      pinned.map((p) => [p.name, p.source]),
      [
        ['own', 'pipeline'],
        ['friday-afternoon-production', org],
        ['recent-rollback', org],
        ['analysis-before-production', org],
      ],
    );
    assert.ok(pinned.every((p) => /^[0-9a-f]{64}$/.test(p.hash ?? '')));
    assert.deepEqual(readWorkerConfig({ RAMP_POLICY_FILES: ` ${org}, b.yaml ,` }).policyFiles, [org, 'b.yaml']);
  });

  test('a file of other pipelines adds nothing; an invalid file fails, naming it and where', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ramp-policy-files-'));
    try {
      const other = join(dir, 'other.yaml');
      await writeFile(
        other,
        'apiVersion: ramp/v1\nkind: Policies\nmetadata: { name: o }\npipelines: [api]\npolicies:\n  - { name: p, at: [commit], when: "true", effect: deny, message: m }\n',
      );
      assert.deepEqual(await createPolicyActivities({ repositories: null as never, policyFiles: [other] }).loadPolicies({ pipeline: 'web', policies: [] }), []);
      const broken = join(dir, 'broken.yaml');
      await writeFile(
        broken,
        'apiVersion: ramp/v1\nkind: Policies\nmetadata: { name: o }\npolicies:\n  - { name: p, at: [commit], when: "stage.nme", effect: deny, message: m }\n',
      );
      await assert.rejects(
        createPolicyActivities({ repositories: null as never, policyFiles: [broken] }).loadPolicies({ pipeline: 'web', policies: [] }),
        (e: Error) => {
          assert.match(
            e.message,
            /the organisation policy file .*broken\.yaml \(RAMP_POLICY_FILES\) is invalid: 5:\d+ policies\[0\]\.when: .*nme.*Fix it \(ramp validate/,
          );
          return true;
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
