/** Running `ramp` in-process for tests, and a pipeline YAML template of the CLI tests' own. */
import { main } from '../../cli/main.js';
import type { CommandIo } from '../../cli/command.js';
import type { ExitCode } from '../../cli/exit-codes.js';

export interface RampRun {
  code: ExitCode;
  stdout: string;
  stderr: string;
}

/** Runs `ramp <args>` with exactly this environment (never the process's). */
export async function ramp(args: string[], env: Record<string, string | undefined>, cwd = process.cwd()): Promise<RampRun> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, cwd, env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/**
 * preview (direct) → production (an approval gate for alice and group:release-managers, then a
 * canary: setWeight 20, an indefinite pause, setWeight 60). Same layout as test/support/pipelines.ts.
 */
export function pipelineYaml(name: string): string {
  return `apiVersion: ramp/v1
kind: Pipeline
metadata:
  name: ${name}
spec:
  repository:
    url: file:///nonexistent/gitops.git
  artifact:
    image: web
  stages:
    - name: preview
      path: envs/preview
      update:
        - yamlUpdate: { file: deployment.yaml, path: "spec.template.spec.containers[name=web].image" }
    - name: production
      path: envs/production
      approval: { approvers: [alice, "group:release-managers"], minApprovals: 1 }
      update:
        - yamlUpdate: { file: stable.yaml, path: "spec.template.spec.containers[name=web].image" }
      strategy:
        canary:
          update:
            - yamlUpdate: { file: canary.yaml, path: "spec.template.spec.containers[name=web].image" }
          scale: { file: canary.yaml, replicas: 1 }
          trafficRouting:
            gatewayAPI: { file: route.yaml, route: web, stableBackend: web-stable, canaryBackend: web-canary }
          steps:
            - setWeight: 20
            - pause: {}
            - setWeight: 60
`;
}
