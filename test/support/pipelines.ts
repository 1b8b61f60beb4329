/** Test pipelines, built through the real loader so they are exactly what a workflow receives. */
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

export interface WebPipelineOptions {
  name?: string;
  url?: string;
  /** Steps of the staging canary, as YAML flow items. */
  stagingSteps?: string[];
  /** Steps of the production canary. */
  productionSteps?: string[];
  productionApproval?: string;
  rollbackScope?: 'stage' | 'promotion';
  /** YAML list items for spec.analysisTemplates, indented for `  analysisTemplates:`. */
  analysisTemplates?: string;
}

/**
 * The seed layout's pipeline (examples/gitops): preview direct, staging and production
 * canaries over stable.yaml / canary.yaml / route.yaml.
 */
export function webPipeline(options: WebPipelineOptions = {}): PipelineSpec {
  const canary = (steps: string[]) => `
      strategy:
        canary:
          update:
            - yamlUpdate: { file: canary.yaml, path: "spec.template.spec.containers[name=web].image" }
          scale: { file: canary.yaml, replicas: 1 }
          trafficRouting:
            gatewayAPI: { file: route.yaml, route: web, stableBackend: web-stable, canaryBackend: web-canary }
          steps:
${steps.map((s) => `            - ${s}`).join('\n')}`;
  return pipelineSpec(`
apiVersion: ramp/v1
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
  stages:
    - name: preview
      path: envs/preview
      update:
        - yamlUpdate: { file: deployment.yaml, path: "spec.template.spec.containers[name=web].image" }
    - name: staging
      path: envs/staging
      update:
        - yamlUpdate: { file: stable.yaml, path: "spec.template.spec.containers[name=web].image" }
${canary(options.stagingSteps ?? ['setWeight: 10', 'setWeight: 50'])}
    - name: production
      path: envs/production
${options.productionApproval ?? '      approval: { approvers: [alice, "group:release-managers"], minApprovals: 1 }'}
      update:
        - yamlUpdate: { file: stable.yaml, path: "spec.template.spec.containers[name=web].image" }
${canary(options.productionSteps ?? ['setWeight: 20', 'pause: {}', 'setWeight: 60'])}
`);
}
