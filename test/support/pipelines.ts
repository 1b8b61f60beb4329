/**
 * Test pipelines, built through the real loader so they are exactly what a workflow receives.
 * The one place where tests write pipeline YAML over the seed layout (examples/gitops): preview
 * direct over deployment.yaml; staging and production over stable.yaml, with a canary over
 * canary.yaml and route.yaml when they have steps.
 */
import { randomUUID } from 'node:crypto';
import { loadPipelineSource } from '../../src/schema/load.js';
import type { PipelineSpec } from '../../src/schema/pipeline.js';

/** A unique pipeline name, so stage workflow ids never collide between tests on one server. */
export const uniqueName = (prefix = 't'): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** Parses and validates pipeline YAML; throws with the findings when it is invalid. */
export function pipelineSpec(yaml: string): PipelineSpec {
  const result = loadPipelineSource(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
  return result.spec;
}

/** The seed layout's stages, in its order. */
/**
 * `spec.analysisTemplates` with one template, `errors`: one measurement of `error-rate` (fake
 * activities answer it), Successful below 0.01, Failed above 0.05, Inconclusive between.
 */
export const ERRORS_TEMPLATE = `    - name: errors
      metrics:
        - name: error-rate
          interval: 100ms
          count: 1
          successCondition: result < 0.01
          failureCondition: result > 0.05
          provider: { prometheus: { address: http://prometheus:9090, query: errors } }
`;

export const SEED_STAGES = ['preview', 'staging', 'production'] as const;
export type SeedStage = (typeof SEED_STAGES)[number];

export interface StageOptions {
  /**
   * YAML lines of the stage besides its name, path, update and strategy (sync, drift, approval,
   * webhooks), each as it would be written at the stage's own indentation.
   */
  with?: string[];
  /** Canary steps as YAML flow items (`setWeight: 10`); absent: a direct stage. */
  steps?: string[];
}

export interface PipelineOptions {
  name?: string;
  /** The GitOps remote (default: one that does not exist, for fake activities). */
  url?: string;
  rollbackScope?: 'stage' | 'promotion';
  /** YAML list items for spec.analysisTemplates, indented for `  analysisTemplates:`. */
  analysisTemplates?: string;
  /** YAML lines of spec.access, indented for `  access:` (e.g. `    grants:`). */
  access?: string;
  /** The body of `spec.notifications`, as YAML lines indented by four spaces. */
  notifications?: string;
  /** YAML list items of spec.policies, indented for `  policies:` (docs/governance.md). */
  policies?: string;
  /** Which of the seed's stages, with what; they keep the seed's order. */
  stages: Partial<Record<SeedStage, StageOptions>>;
}

const IMAGE_PATH = '"spec.template.spec.containers[name=web].image"';

function stageYaml(stage: SeedStage, options: StageOptions): string {
  const indent = (lines: string[], spaces: number): string[] => lines.map((l) => `${' '.repeat(spaces)}${l}`);
  const lines = [
    `- name: ${stage}`,
    `  path: envs/${stage}`,
    ...indent(options.with ?? [], 2),
    '  update:',
    `    - yamlUpdate: { file: ${stage === 'preview' ? 'deployment.yaml' : 'stable.yaml'}, path: ${IMAGE_PATH} }`,
  ];
  if (options.steps) {
    if (stage === 'preview') throw new Error("the seed's preview has no canary.yaml or route.yaml: give staging or production the steps");
    lines.push(
      '  strategy:',
      '    canary:',
      '      update:',
      `        - yamlUpdate: { file: canary.yaml, path: ${IMAGE_PATH} }`,
      '      scale: { file: canary.yaml, replicas: 1 }',
      '      trafficRouting:',
      '        gatewayAPI: { file: route.yaml, route: web, stableBackend: web-stable, canaryBackend: web-canary }',
      '      steps:',
      ...options.steps.map((s) => `        - ${s}`),
    );
  }
  return indent(lines, 4).join('\n');
}

/** The pipeline's YAML, for tests that write it to a file (the CLI reads files). */
export function pipelineYaml(options: PipelineOptions): string {
  const stages = SEED_STAGES.filter((s) => options.stages[s] !== undefined);
  if (stages.length === 0) throw new Error('a test pipeline needs at least one stage');
  return `apiVersion: ramp/v1
kind: Pipeline
metadata:
  name: ${options.name ?? uniqueName('web')}
spec:
  repository:
    url: ${options.url ?? 'file:///nonexistent/gitops.git'}
  artifact:
    image: web
  rollback: { scope: ${options.rollbackScope ?? 'stage'} }
${options.analysisTemplates ? `  analysisTemplates:\n${options.analysisTemplates}` : ''}
${options.access ? `  access:\n${options.access}` : ''}
${options.notifications ? `  notifications:\n${options.notifications}` : ''}
${options.policies ? `  policies:\n${options.policies}` : ''}
  stages:
${stages.map((s) => stageYaml(s, options.stages[s]!)).join('\n')}
`;
}

/** The pipeline, loaded as a workflow receives it. */
export function seedPipeline(options: PipelineOptions): PipelineSpec {
  return pipelineSpec(pipelineYaml(options));
}

export interface WebPipelineOptions extends Omit<PipelineOptions, 'stages'> {
  /** Steps of the staging canary, as YAML flow items. */
  stagingSteps?: string[];
  /** Steps of the production canary. */
  productionSteps?: string[];
  /** The production stage's approval line ('' for none), e.g. `approval: { approvers: [alice] }`. */
  productionApproval?: string;
}

/**
 * All three seed stages: preview direct; staging a canary (10, 50); production an approval
 * gate for alice and group:release-managers, then a canary (20, an indefinite pause, 60).
 */
export function webPipeline(options: WebPipelineOptions = {}): PipelineSpec {
  const { stagingSteps, productionSteps, productionApproval, ...rest } = options;
  const approval = (productionApproval ?? 'approval: { approvers: [alice, "group:release-managers"], minApprovals: 1 }').trim();
  return seedPipeline({
    ...rest,
    stages: {
      preview: {},
      staging: { steps: stagingSteps ?? ['setWeight: 10', 'setWeight: 50'] },
      production: { with: approval ? [approval] : [], steps: productionSteps ?? ['setWeight: 20', 'pause: {}', 'setWeight: 60'] },
    },
  });
}
