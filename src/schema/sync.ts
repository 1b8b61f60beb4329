/**
 * How a stage learns that its commit is live in a cluster (sync), and how ramp watches the
 * cluster for changes made outside Git (drift). See docs/kube.md.
 */
import { z } from 'zod';
import { quote } from './messages.js';
import { Duration } from './common.js';

const KubeName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error: (issue) => `${quote(String(issue.input))} is not a Kubernetes name (lower-case letters, digits, '-' and '.')`,
  });

const AgentObject = (what: string, defaultNamespace: string) =>
  z.strictObject({
    name: KubeName.describe(`The ${what}'s metadata.name.`),
    namespace: KubeName.default(defaultNamespace).describe(`The ${what}'s namespace.`),
  });

export const SYNC_MODES = ['none', 'apply', 'argocd', 'flux'] as const;

export const Sync = z
  .strictObject({
    mode: z
      .enum(SYNC_MODES)
      .default('none')
      .describe(
        "none: Git only; apply: ramp server-side-applies the stage's manifests at each commit; argocd / flux: an agent applies them and ramp waits for it.",
      ),
    namespace: KubeName.default('default').describe('The namespace of namespaced objects whose manifests name none.'),
    context: z.string().min(1).optional().describe("The kubeconfig context of this stage's cluster (default: the worker's current context)."),
    timeout: Duration.prefault('10m').describe(
      'How long a commit may take to be live and healthy (the progress deadline); then the stage fails and rolls back.',
    ),
    application: AgentObject('Argo CD Application', 'argocd').optional().describe('mode argocd: the Application that syncs this stage.'),
    kustomization: AgentObject('Flux Kustomization', 'flux-system').optional().describe('mode flux: the Kustomization that applies this stage.'),
  })
  .transform(({ mode, namespace, context, timeout, application, kustomization }) => ({
    mode,
    namespace,
    context: context ?? null,
    timeoutMs: timeout,
    agent:
      mode === 'argocd' && application
        ? { kind: 'argocd' as const, ...application }
        : mode === 'flux' && kustomization
          ? { kind: 'flux' as const, ...kustomization }
          : null,
    // Kept for the rules (agent object given for the wrong mode).
    application: application ?? null,
    kustomization: kustomization ?? null,
  }));

export const DriftField = z.strictObject({
  kind: z.string().min(1).describe('The kind of object, e.g. Deployment.'),
  name: z.string().min(1).optional().describe('Only the object of this name (default: every object of the kind).'),
  path: z.string().min(1).describe('A YAML path into the object, e.g. spec.template.spec.containers[name=web].resources.'),
});

export const Drift = z
  .strictObject({
    policy: z
      .enum(['alert', 'revert'])
      .default('alert')
      .describe("alert: report drift and wait for an operator to accept or reject it; revert: put Git's state back at once."),
    interval: Duration.prefault('1m').describe('How often the live objects are compared with Git.'),
    fields: z.array(DriftField).default([]).describe('Fields compared besides the ones ramp manages (images, replicas, route weights).'),
  })
  .transform(({ interval, ...drift }) => ({ ...drift, intervalMs: interval }));

export const NO_SYNC = { mode: 'none' as const, namespace: 'default', context: null, timeoutMs: 600_000, agent: null, application: null, kustomization: null };
