/**
 * The benches' pipelines, on the example GitOps layout (stable and canary Deployments, a Gateway
 * API route): one place for the YAML every bench promotes.
 */
import type { PipelineSpec } from '../src/schema/pipeline.js';
import { loadPipelineSource } from '../src/schema/load.js';

const IMAGE = 'spec.template.spec.containers[name=web].image';

export interface BenchStage {
  name: string;
  /** The stage's folder: `envs/<name>` by default. */
  path?: string;
  /** The file whose image a direct update (and a canary's promote) sets: `stable.yaml` by default. */
  file?: string;
  /** `approval: { approvers: [...] }` before the stage. */
  approvers?: string[];
  /** Canary steps, as YAML flow items; none: a direct update. */
  steps?: readonly string[];
}

/** One stage's YAML, indented for `spec.stages`. */
function stageYaml(stage: BenchStage): string {
  const lines = [`    - name: ${stage.name}`, `      path: ${stage.path ?? `envs/${stage.name}`}`];
  if (stage.approvers) lines.push(`      approval: { approvers: [${stage.approvers.join(', ')}] }`);
  lines.push('      update:', `        - yamlUpdate: { file: ${stage.file ?? 'stable.yaml'}, path: "${IMAGE}" }`);
  if (stage.steps) {
    lines.push(
      '      strategy:',
      '        canary:',
      '          update:',
      `            - yamlUpdate: { file: canary.yaml, path: "${IMAGE}" }`,
      '          scale: { file: canary.yaml, replicas: 1 }',
      '          trafficRouting:',
      '            gatewayAPI: { file: route.yaml, route: web, stableBackend: web-stable, canaryBackend: web-canary }',
      '          steps:',
      ...stage.steps.map((s) => `            - ${s}`),
    );
  }
  return lines.join('\n');
}

/** A pipeline's YAML with these stages. */
export function benchPipelineYamlOf(name: string, url: string, stages: readonly BenchStage[]): string {
  return `apiVersion: ramp/v1
kind: Pipeline
metadata: { name: ${name} }
spec:
  repository: { url: ${url} }
  artifact: { image: web }
  stages:
${stages.map(stageYaml).join('\n')}
`;
}

/** The engine benches' pipeline: one canary stage, staging, with the given steps. */
export function benchPipelineYaml(name: string, url: string, steps: readonly string[]): string {
  return benchPipelineYamlOf(name, url, [{ name: 'staging', steps }]);
}

/** The pipeline loaded as a workflow receives it; a bench whose pipeline does not load stops at once. */
export function benchPipeline(name: string, url: string, stages: readonly BenchStage[]): PipelineSpec {
  const loaded = loadPipelineSource(benchPipelineYamlOf(name, url, stages), `${name}.yaml`);
  if (!loaded.ok) throw new Error(`the bench pipeline ${name} does not load: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return loaded.spec;
}
