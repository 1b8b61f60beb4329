/**
 * `ramp validate` reports shape errors and rule errors in one pass: a typo in one field no
 * longer hides the rule errors elsewhere. And the rules never report what only a broken part
 * caused (a template that does not parse is not "unknown", a field left out is not "missing").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { formatPath } from '../../src/schema/issue.js';
import { loadPipelineSource } from '../../src/schema/load.js';

const minimal = readFileSync(new URL('../fixtures/pipelines/valid/minimal.yaml', import.meta.url), 'utf8');

function findings(...edits: [string, string][]): string[] {
  let source = minimal;
  for (const [from, to] of edits) {
    assert.ok(source.includes(from), `the fixture holds ${JSON.stringify(from)}`);
    source = source.replace(from, to);
  }
  const result = loadPipelineSource(source, 'p.yaml');
  return [...(result.ok ? [] : result.errors), ...result.warnings].map((i) => `${formatPath(i.path)} ${i.severity} ${i.code}`);
}

const weightsDecrease: [string, string] = ['- setWeight: 60', '- setWeight: 10'];

describe('shape and rule errors together', () => {
  test('an unknown field in one stage, and weights that decrease in another', () => {
    assert.deepEqual(findings(weightsDecrease, ['      approval:\n', '      aproval: {}\n      approval:\n']), [
      'spec.stages[0].strategy.canary.steps[2].setWeight error weights-decrease',
      'spec.stages[1].aproval error unknown-field',
    ]);
  });

  test('an unknown field and a rule error in the same stage', () => {
    assert.deepEqual(findings(weightsDecrease, ['      path: envs/staging\n', '      path: envs/staging\n      stratgey: {}\n']), [
      'spec.stages[0].stratgey error unknown-field',
      'spec.stages[0].strategy.canary.steps[2].setWeight error weights-decrease',
    ]);
  });

  test('a wrong value in a stage, and a rule error in a template', () => {
    assert.deepEqual(
      findings(
        ['      approval:\n        approvers: [alice, group:sre]', '      approval:\n        approvers: [alice, group:sre]\n        minApprovals: many'],
        ['          interval: 30s\n', ''],
      ),
      ['spec.analysisTemplates[0].metrics[0].count error count-needs-interval', 'spec.stages[1].approval.minApprovals error invalid-type'],
    );
  });

  test('a wrong apiVersion does not hide the rules', () => {
    assert.deepEqual(findings(['apiVersion: ramp/v1', 'apiVersion: ramp/v2'], weightsDecrease), [
      'apiVersion error invalid-value',
      'spec.stages[0].strategy.canary.steps[2].setWeight error weights-decrease',
    ]);
  });
});

describe('no rule finding that only a broken part caused', () => {
  test('a template whose name is wrong is not reported as unknown, nor its args', () => {
    assert.deepEqual(findings(['    - name: errors\n', '    - name: Errors\n']), ['spec.analysisTemplates[0].name error invalid-format']);
  });

  test('a wrong interval is not also "missing" for count', () => {
    assert.deepEqual(findings(['interval: 30s', 'interval: 30']), ['spec.analysisTemplates[0].metrics[0].interval error invalid-type']);
  });

  test('a stage that does not parse leaves no "unused template" warning', () => {
    assert.deepEqual(findings(['- setWeight: 20', '- setWeight: 200']), ['spec.stages[0].strategy.canary.steps[0].setWeight error too-big']);
  });

  test('templates that are not a list: no "unknown template" for the stage that names one', () => {
    assert.deepEqual(findings(['  analysisTemplates:\n', '  analysisTemplates: 3\n  elsewhere:\n']), [
      'spec.analysisTemplates error invalid-type',
      'spec.elsewhere error unknown-field',
    ]);
  });

  const access = (grant: string): [string, string] => [
    '  stages:\n    - name: staging',
    `  access:\n    grants:\n      - ${grant}\n  stages:\n    - name: staging`,
  ];

  test('an access block that does not parse: the gates are not judged by its grants', () => {
    assert.deepEqual(
      findings(access('{ who: [group:product], may: [approve, deploy] }'), [
        'approvers: [alice, group:sre]',
        'approvers: [group:sre]\n        require: 1 of group:product',
      ]),
      ['spec.access.grants[0].may[1] error invalid-value'],
    );
  });

  test('an access block that parses: its rules and the gates together', () => {
    assert.deepEqual(findings(access('{ who: [], may: [promote], stages: [prodution] }'), weightsDecrease), [
      'spec.access.grants[0].who error access-grants',
      'spec.access.grants[0].stages[0] error access-stages',
      'spec.stages[0].strategy.canary.steps[2].setWeight error weights-decrease',
    ]);
  });

  test('a stage that is repaired keeps its name for the grants that name it', () => {
    assert.deepEqual(
      findings(access('{ who: [alice], may: [promote], stages: [production] }'), ['      approval:\n', '      aproval: {}\n      approval:\n']),
      ['spec.stages[1].aproval error unknown-field'],
    );
  });
});
