/**
 * The benches' pipeline: one canary stage on the example GitOps layout (stable and canary
 * Deployments, a Gateway API route), with the given steps.
 */
export function benchPipelineYaml(name: string, url: string, steps: readonly string[]): string {
  return `apiVersion: ramp/v1
kind: Pipeline
metadata: { name: ${name} }
spec:
  repository: { url: ${url} }
  artifact: { image: web }
  stages:
    - name: staging
      path: envs/staging
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
${steps.map((s) => `            - ${s}`).join('\n')}
`;
}
