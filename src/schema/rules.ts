/**
 * Cross-field rules over the normalised spec: what no single field's shape can say. Each rule
 * reports paths in the author's terms (input coordinates), so findings point at the YAML node.
 */
import { formatApprovalRules } from '../domain/approval-rules.js';
import { checkCondition } from '../domain/condition.js';
import { formatEntry, gateApprovers, grantedApprovers, Permission } from '../domain/permissions.js';
import { BUILTIN_VARIABLES, placeholders } from '../domain/template.js';
import { replicaSplit } from '../domain/stage-writes.js';
import { parseYamlPath } from '../domain/yaml-path.js';
import { guessName as closest } from './messages.js';
import { error, warning, type IssuePath, type SpecIssue } from './issue.js';
import type { ApprovalSpec, CanaryStrategySpec, PipelineSpec, StageSpec, TrafficRoutingSpec, UpdateTargetSpec } from './pipeline.js';
import { stageWindowIssues } from '../governance/window-rules.js';

export interface Rule {
  /** Also the `code` of the issues it reports. */
  id: string;
  description: string;
  check(spec: PipelineSpec): SpecIssue[];
}

const stagePath = (i: number): IssuePath => ['spec', 'stages', i];
const canaryPath = (i: number): IssuePath => [...stagePath(i), 'strategy', 'canary'];
const stepPath = (i: number, j: number): IssuePath => [...canaryPath(i), 'steps', j];
const routingPath = (i: number, routing: TrafficRoutingSpec): IssuePath => [...canaryPath(i), 'trafficRouting', routing.kind];
const templatePath = (t: number): IssuePath => ['spec', 'analysisTemplates', t];
const metricPath = (t: number, m: number): IssuePath => [...templatePath(t), 'metrics', m];

const canaryOf = (stage: StageSpec): CanaryStrategySpec | undefined => (stage.strategy.kind === 'canary' ? stage.strategy : undefined);

function duplicates<T>(items: readonly T[], key: (item: T) => string, report: (index: number, name: string, first: number) => SpecIssue): SpecIssue[] {
  const seen = new Map<string, number>();
  const issues: SpecIssue[] = [];
  items.forEach((item, index) => {
    const name = key(item);
    const first = seen.get(name);
    if (first === undefined) seen.set(name, index);
    else issues.push(report(index, name, first));
  });
  return issues;
}

function unknownPlaceholders(query: string, known: readonly string[], t: number, path: IssuePath): SpecIssue[] {
  return placeholders(query)
    .filter((name) => !known.includes(name))
    .map((name) => {
      const guess = closest(name, known);
      const hint = name.startsWith('args.')
        ? `Declare it in analysisTemplates[${t}].args${guess ? ` or did you mean {{${guess}}}?` : ''}`
        : `Known: ${known.map((k) => `{{${k}}}`).join(', ')}`;
      return error('query-placeholders', path, `the query uses {{${name}}}, which is not defined. ${hint}`);
    });
}

/** Every place that runs analysis templates: inline steps, background analysis, verification. */
function eachAnalysisRef(spec: PipelineSpec): { templates: string[]; args: { name: string; value: string }[]; path: IssuePath }[] {
  return spec.stages.flatMap((stage, i) => {
    const canary = canaryOf(stage);
    return [
      ...(canary?.steps ?? []).flatMap((step, j) =>
        step.kind === 'analysis' ? [{ templates: step.templates, args: step.args, path: [...stepPath(i, j), 'analysis'] }] : [],
      ),
      ...(canary?.analysis ? [{ templates: canary.analysis.templates, args: canary.analysis.args, path: [...canaryPath(i), 'analysis'] }] : []),
      ...(['prePromotion', 'postPromotion'] as const).flatMap((when) => {
        const ref = stage.verification[when];
        return ref ? [{ templates: ref.templates, args: ref.args, path: [...stagePath(i), 'verification', when] }] : [];
      }),
    ];
  });
}

/** Every approval gate: stage gates and canary approval steps, with their stage and input paths. */
function eachApproval(spec: PipelineSpec): { approval: ApprovalSpec; stage: string; path: IssuePath }[] {
  return spec.stages.flatMap((stage, i) => [
    ...(stage.approval ? [{ approval: stage.approval, stage: stage.name, path: [...stagePath(i), 'approval'] }] : []),
    ...(canaryOf(stage)?.steps ?? []).flatMap((step, j) =>
      step.kind === 'approval' ? [{ approval: step.approval, stage: stage.name, path: [...stepPath(i, j), 'approval'] }] : [],
    ),
  ]);
}

const grantPath = (g: number): IssuePath => ['spec', 'access', 'grants', g];

function eachTarget(spec: PipelineSpec, visit: (target: UpdateTargetSpec, path: IssuePath) => SpecIssue[]): SpecIssue[] {
  return spec.stages.flatMap((stage, i) => [
    ...stage.update.flatMap((target, k) => visit(target, [...stagePath(i), 'update', k])),
    ...(canaryOf(stage)?.update.flatMap((target, k) => visit(target, [...canaryPath(i), 'update', k])) ?? []),
  ]);
}

/** When a routing names one thing for both tracks: the field to fix and what to say. */
function sameTracks(routing: TrafficRoutingSpec): { field: string; message: string } | undefined {
  switch (routing.kind) {
    case 'gatewayAPI':
    case 'smi':
      return routing.stableBackend === routing.canaryBackend
        ? {
            field: 'canaryBackend',
            message: `stableBackend and canaryBackend are both "${routing.canaryBackend}", so ramp cannot move traffic between them. Name the Service of each track`,
          }
        : undefined;
    case 'istio': {
      const { stable, canary } = routing;
      if (stable.host !== canary.host) return undefined;
      if (stable.subset !== undefined && canary.subset !== undefined && stable.subset !== canary.subset) return undefined;
      return {
        field: 'canary',
        message:
          stable.subset !== undefined && stable.subset === canary.subset
            ? `the stable and the canary destination are both host ${canary.host} subset ${canary.subset}. Give each track its own subset (or host)`
            : `the stable and the canary destination both have host ${canary.host}, and without a subset on each one destination matches both. Give both a subset (e.g. stable and canary, from a DestinationRule), or use a host per track`,
      };
    }
    case 'replicaRatio': {
      const file = (f: string) =>
        f
          .split('/')
          .filter((p) => p !== '' && p !== '.')
          .join('/');
      return file(routing.stableFile) === file(routing.canaryFile)
        ? {
            field: 'canaryFile',
            message: `stableFile and canaryFile are both "${routing.canaryFile}", so ramp would write both replica counts into one field. Give each workload its own file`,
          }
        : undefined;
    }
    default: {
      const unknown: never = routing;
      return unknown;
    }
  }
}

export const rules: readonly Rule[] = [
  {
    id: 'duplicate-stage',
    description: 'Stage names are unique: they name environments and promotions.',
    check: (spec) =>
      duplicates(
        spec.stages,
        (s) => s.name,
        (i, name, first) =>
          error('duplicate-stage', [...stagePath(i), 'name'], `stage "${name}" is defined twice (first as stages[${first}]). Give each stage its own name`),
      ),
  },
  {
    id: 'duplicate-stage-path',
    description: 'Two stages never share a directory: a promotion into one would overwrite the other.',
    check: (spec) =>
      duplicates(
        spec.stages,
        (s) => s.path.replace(/\/+$/, ''),
        (i, path, first) =>
          error('duplicate-stage-path', [...stagePath(i), 'path'], `stages[${first}] already writes to "${path}". Give each environment its own directory`),
      ),
  },
  {
    id: 'duplicate-template',
    description: 'Analysis template names are unique.',
    check: (spec) =>
      duplicates(
        spec.analysisTemplates,
        (t) => t.name,
        (i, name, first) =>
          error(
            'duplicate-template',
            [...templatePath(i), 'name'],
            `analysis template "${name}" is defined twice (first as analysisTemplates[${first}]). Rename one`,
          ),
      ),
  },
  {
    id: 'duplicate-metric',
    description: 'Metric names are unique within a template; measurements are recorded by them.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        duplicates(
          template.metrics,
          (m) => m.name,
          (m, name) => error('duplicate-metric', [...metricPath(t, m), 'name'], `metric "${name}" appears twice in template "${template.name}". Rename one`),
        ),
      ),
  },
  {
    id: 'weights-decrease',
    description: 'setWeight never decreases within a stage: traffic only moves toward the canary.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        let previous = 0;
        return (canaryOf(stage)?.steps ?? []).flatMap((step, j) => {
          if (step.kind !== 'setWeight') return [];
          const issues =
            step.weight < previous
              ? [
                  error(
                    'weights-decrease',
                    [...stepPath(i, j), 'setWeight'],
                    `setWeight ${step.weight} is lower than the previous ${previous}. Weights only increase within a stage; to go back, abort`,
                  ),
                ]
              : [];
          previous = Math.max(previous, step.weight);
          return issues;
        });
      }),
  },
  {
    id: 'weight-without-routing',
    description: 'setWeight needs trafficRouting: ramp never guesses where weights are written.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        if (!canary || canary.trafficRouting) return [];
        const j = canary.steps.findIndex((s) => s.kind === 'setWeight');
        return j < 0
          ? []
          : [
              error(
                'weight-without-routing',
                stepPath(i, j),
                `setWeight needs strategy.canary.trafficRouting to know where weights are written. Add trafficRouting: gatewayAPI, istio or smi with the routing file and backend names, or replicaRatio with the two workload files`,
              ),
            ];
      }),
  },
  {
    id: 'routing-stable-is-canary',
    description: 'trafficRouting tells the stable and the canary apart: different backends, destinations or workload files.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const routing = canaryOf(stage)?.trafficRouting;
        const same = routing ? sameTracks(routing) : undefined;
        return routing && same ? [error('routing-stable-is-canary', [...routingPath(i, routing), same.field], same.message)] : [];
      }),
  },
  {
    id: 'replica-ratio-with-scale',
    description: 'replicaRatio and scale both set the canary replicas; a canary has one of them.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        return canary?.scale && canary.trafficRouting?.kind === 'replicaRatio'
          ? [
              error(
                'replica-ratio-with-scale',
                [...canaryPath(i), 'scale'],
                'trafficRouting.replicaRatio sets the canary replicas from the weight, and scale sets them too. Remove scale: replicaRatio scales the canary up with each setWeight and to 0 after',
              ),
            ]
          : [];
      }),
  },
  {
    id: 'replica-ratio-no-stable',
    description: 'Warning: with replicaRatio, a setWeight below 100 that leaves no stable replica sends all traffic to the canary.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        const routing = canary?.trafficRouting;
        if (!canary || routing?.kind !== 'replicaRatio') return [];
        return canary.steps.flatMap((step, j) => {
          if (step.kind !== 'setWeight' || step.weight === 0 || step.weight === 100) return [];
          const split = replicaSplit(routing.replicas, step.weight);
          if (split.stable > 0) return [];
          let enough = routing.replicas;
          while (replicaSplit(enough, step.weight).stable === 0) enough += 1;
          return [
            warning(
              'replica-ratio-no-stable',
              [...stepPath(i, j), 'setWeight'],
              `with replicaRatio.replicas ${routing.replicas}, setWeight ${step.weight} runs ${split.canary} canary and no stable replica, so the canary gets all traffic. Raise replicas to at least ${enough}`,
            ),
          ];
        });
      }),
  },
  {
    id: 'full-weight-step',
    description: 'A final setWeight 100 is redundant: full promotion follows the last step.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const steps = canaryOf(stage)?.steps ?? [];
        const last = steps[steps.length - 1];
        return last?.kind === 'setWeight' && last.weight === 100
          ? [
              warning(
                'full-weight-step',
                [...stepPath(i, steps.length - 1), 'setWeight'],
                'setWeight 100 as the last step is redundant: ramp promotes fully after the last step. Remove it',
              ),
            ]
          : [];
      }),
  },
  {
    id: 'canary-without-analysis',
    description: 'A canary with no analysis, approval or indefinite pause promotes itself unmeasured.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        if (!canary) return [];
        const measured =
          canary.analysis !== null ||
          stage.verification.prePromotion !== null ||
          canary.steps.some((s) => s.kind === 'analysis' || s.kind === 'approval' || (s.kind === 'pause' && s.durationMs === null));
        return measured || stage.approval
          ? []
          : [
              warning(
                'canary-without-analysis',
                [...canaryPath(i), 'steps'],
                `stage "${stage.name}" runs a canary that nothing measures or stops. Add an analysis step, an indefinite pause, or an approval`,
              ),
            ];
      }),
  },
  {
    id: 'unknown-template',
    description: 'Analysis steps, background analysis and verification reference templates that exist.',
    check: (spec) => {
      const names = spec.analysisTemplates.map((t) => t.name);
      return eachAnalysisRef(spec).flatMap((ref) =>
        ref.templates.flatMap((name, k) => {
          if (names.includes(name)) return [];
          const guess = closest(name, names);
          const hint = guess ? `Did you mean "${guess}"?` : names.length > 0 ? `Defined: ${names.join(', ')}` : 'Define it under spec.analysisTemplates';
          return [error('unknown-template', [...ref.path, 'templates', k, 'templateName'], `no analysis template is named "${name}". ${hint}`)];
        }),
      );
    },
  },
  {
    id: 'analysis-args',
    description: 'An analysis passes every arg its templates require, and no arg they do not declare.',
    check: (spec) =>
      eachAnalysisRef(spec).flatMap((ref) => {
        const templates = spec.analysisTemplates.filter((t) => ref.templates.includes(t.name));
        if (templates.length !== new Set(ref.templates).size) return []; // unknown-template reports it
        const declared = new Set(templates.flatMap((t) => t.args.map((a) => a.name)));
        const given = new Set(ref.args.map((a) => a.name));
        const issues: SpecIssue[] = duplicates(
          ref.args,
          (a) => a.name,
          (k, name) => error('analysis-args', [...ref.path, 'args', k, 'name'], `arg "${name}" is given twice. Keep one`),
        );
        ref.args.forEach((arg, k) => {
          if (declared.has(arg.name)) return;
          const guess = closest(arg.name, [...declared]);
          issues.push(
            error(
              'analysis-args',
              [...ref.path, 'args', k, 'name'],
              `no template of this analysis declares arg "${arg.name}"${guess ? `. Did you mean "${guess}"?` : `. Declared: ${[...declared].join(', ') || 'none'}`}`,
            ),
          );
        });
        for (const template of templates) {
          for (const arg of template.args) {
            if (arg.value === undefined && !given.has(arg.name)) {
              issues.push(
                error(
                  'analysis-args',
                  ref.path,
                  `template "${template.name}" needs arg "${arg.name}", which this analysis does not pass. Add { name: ${arg.name}, value: ... } to args`,
                ),
              );
            }
          }
        }
        return issues;
      }),
  },
  {
    id: 'query-placeholders',
    description: 'Query placeholders name a declared arg ({{args.x}}) or a built-in variable ({{ramp.stage}}).',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics
          .flatMap((metric, m) => {
            const declared = template.args.map((a) => `args.${a.name}`);
            const known = [...declared, ...BUILTIN_VARIABLES];
            return unknownPlaceholders(metric.provider.query, known, t, [...metricPath(t, m), 'provider', 'prometheus', 'query']);
          })
          .concat(
            (template.judge?.metrics ?? []).flatMap((metric, m) =>
              (['baseline', 'canary'] as const).flatMap((side) =>
                unknownPlaceholders(metric[side].query, [...template.args.map((a) => `args.${a.name}`), ...BUILTIN_VARIABLES], t, [
                  ...templatePath(t),
                  'judge',
                  'metrics',
                  m,
                  side,
                  'prometheus',
                  'query',
                ]),
              ),
            ),
          ),
      ),
  },
  {
    id: 'condition-syntax',
    description: 'successCondition and failureCondition are valid CEL over `result`.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics.flatMap((metric, m) =>
          (['successCondition', 'failureCondition'] as const).flatMap((field) => {
            const expression = metric[field];
            if (expression === undefined) return [];
            const check = checkCondition(expression);
            return check.ok
              ? []
              : [
                  error(
                    'condition-syntax',
                    [...metricPath(t, m), field],
                    `${field} is not a valid CEL expression: ${check.error}. Conditions use \`result\`, e.g. result[0] >= 0.95`,
                  ),
                ];
          }),
        ),
      ),
  },
  {
    id: 'metric-without-conditions',
    description: 'A metric with neither condition always succeeds, so it can never stop a bad canary.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics.flatMap((metric, m) =>
          metric.successCondition === undefined && metric.failureCondition === undefined && !metric.dryRun
            ? [
                warning(
                  'metric-without-conditions',
                  [...metricPath(t, m), 'name'],
                  `metric "${metric.name}" has no successCondition or failureCondition, so every measurement succeeds. Add a condition, or set dryRun: true to only record it`,
                ),
              ]
            : [],
        ),
      ),
  },
  {
    id: 'count-needs-interval',
    description: 'Measuring more than once needs an interval between measurements.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics.flatMap((metric, m) =>
          metric.count > 1 && metric.intervalMs === null
            ? [
                error(
                  'count-needs-interval',
                  [...metricPath(t, m), 'count'],
                  `count ${metric.count} needs an interval between measurements. Add interval: 1m (or similar)`,
                ),
              ]
            : [],
        ),
      ),
  },
  {
    id: 'consecutive-success-limit',
    description: "A consecutiveSuccessLimit the metric's count can reach.",
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics.flatMap((metric, m) =>
          metric.consecutiveSuccessLimit > metric.count
            ? [
                error(
                  'consecutive-success-limit',
                  [...metricPath(t, m), 'consecutiveSuccessLimit'],
                  `consecutiveSuccessLimit ${metric.consecutiveSuccessLimit} can never be reached in count ${metric.count} measurements. Raise count (with an interval), or lower consecutiveSuccessLimit`,
                ),
              ]
            : [],
        ),
      ),
  },
  {
    id: 'empty-template',
    description: 'A template measures something: metrics, a judge, or both.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) =>
        template.metrics.length === 0 && template.judge === null
          ? [
              error(
                'empty-template',
                [...templatePath(t), 'name'],
                `analysis template "${template.name}" has no metrics and no judge. Add metrics (thresholds) or a judge (canary vs baseline)`,
              ),
            ]
          : [],
      ),
  },
  {
    id: 'judge-settings',
    description: 'A judge: marginal at most pass, weighted groups used by its metrics, count > 1 with an interval.',
    check: (spec) =>
      spec.analysisTemplates.flatMap((template, t) => {
        const judge = template.judge;
        if (!judge) return [];
        const path = [...templatePath(t), 'judge'];
        const issues: SpecIssue[] = [];
        if (judge.thresholds.marginal > judge.thresholds.pass) {
          issues.push(
            error(
              'judge-settings',
              [...path, 'thresholds', 'marginal'],
              `marginal (${judge.thresholds.marginal}) is above pass (${judge.thresholds.pass}). Marginal is the lower bar: scores between the two go to a human`,
            ),
          );
        }
        const groups = new Set(judge.metrics.flatMap((m) => m.groups));
        for (const group of Object.keys(judge.groupWeights)) {
          if (!groups.has(group))
            issues.push(
              error(
                'judge-settings',
                [...path, 'groupWeights', group],
                `no judged metric is in group "${group}". Add it to a metric's groups, or remove the weight`,
              ),
            );
        }
        const total = Object.values(judge.groupWeights).reduce((a, b) => a + b, 0);
        if (total > 100)
          issues.push(warning('judge-settings', [...path, 'groupWeights'], `group weights add up to ${total}, over 100: groups without a weight get nothing`));
        if (judge.count > 1 && judge.intervalMs === null)
          issues.push(error('judge-settings', [...path, 'count'], `count ${judge.count} needs an interval between judgements. Add interval: 5m (or similar)`));
        return issues;
      }),
  },
  {
    id: 'starting-step',
    description: 'Background analysis starts at a step the canary has.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        return canary?.analysis && canary.analysis.startingStep > canary.steps.length
          ? [
              error(
                'starting-step',
                [...canaryPath(i), 'analysis', 'startingStep'],
                `startingStep ${canary.analysis.startingStep} is past the last of ${canary.steps.length} steps. Count steps from 1`,
              ),
            ]
          : [];
      }),
  },
  {
    id: 'sync-agent',
    description: 'Sync mode argocd names its Application, flux its Kustomization, and no other mode names either.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const { mode, application, kustomization } = stage.sync;
        const path = ['spec', 'stages', i, 'sync'];
        const issues = [];
        if (mode === 'argocd' && !application)
          issues.push(
            error(
              'sync-agent',
              [...path, 'mode'],
              `sync mode argocd needs the Application that syncs stage ${stage.name}. Add application: { name: <app>, namespace: argocd }`,
            ),
          );
        if (mode === 'flux' && !kustomization)
          issues.push(
            error(
              'sync-agent',
              [...path, 'mode'],
              `sync mode flux needs the Kustomization that applies stage ${stage.name}. Add kustomization: { name: <name>, namespace: flux-system }`,
            ),
          );
        if (mode !== 'argocd' && application)
          issues.push(
            error(
              'sync-agent',
              [...path, 'application'],
              `application is only used by sync mode argocd, but the mode is ${mode}. Set mode: argocd, or remove application`,
            ),
          );
        if (mode !== 'flux' && kustomization)
          issues.push(
            error(
              'sync-agent',
              [...path, 'kustomization'],
              `kustomization is only used by sync mode flux, but the mode is ${mode}. Set mode: flux, or remove kustomization`,
            ),
          );
        return issues;
      }),
  },
  {
    id: 'drift-needs-cluster',
    description: 'Drift detection needs a cluster: a sync mode other than none.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) =>
        stage.drift && stage.sync.mode === 'none'
          ? [
              error(
                'drift-needs-cluster',
                ['spec', 'stages', i, 'drift'],
                `stage ${stage.name} watches for drift but has no cluster to watch (sync mode none). Add sync: { mode: apply } (or argocd, flux), or remove drift`,
              ),
            ]
          : [],
      ),
  },
  {
    id: 'duplicate-webhook',
    description: 'Webhook names are unique within a stage.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) =>
        duplicates(
          stage.webhooks,
          (w) => w.name,
          (k, name) =>
            error('duplicate-webhook', [...stagePath(i), 'webhooks', k, 'name'], `webhook "${name}" is defined twice in stage "${stage.name}". Rename one`),
        ),
      ),
  },
  {
    id: 'unused-template',
    description: 'Every analysis template is used by some analysis.',
    check: (spec) => {
      const used = new Set(eachAnalysisRef(spec).flatMap((ref) => ref.templates));
      return spec.analysisTemplates.flatMap((template, t) =>
        used.has(template.name)
          ? []
          : [warning('unused-template', [...templatePath(t), 'name'], `analysis template "${template.name}" is not used by any analysis. Use it or remove it`)],
      );
    },
  },
  {
    id: 'approvers',
    description: 'Approvers are listed once, and minApprovals can be met.',
    check: (spec) =>
      eachApproval(spec).flatMap(({ approval, stage, path }) => {
        const issues = duplicates(
          approval.approvers,
          (a) => `${a.kind}:${a.name}`,
          (k, name) => error('approvers', [...path, 'approvers', k], `approver "${name.replace(/^user:/, '')}" is listed twice. Keep one`),
        );
        const all = gateApprovers(approval.approvers, spec.access, stage);
        const hasGroup = all.some((a) => a.kind === 'group');
        const users = new Set(all.filter((a) => a.kind === 'user').map((a) => a.name)).size;
        if (!hasGroup && approval.minApprovals > users) {
          issues.push(
            error(
              'approvers',
              [...path, 'minApprovals'],
              `minApprovals is ${approval.minApprovals} but only ${users} user(s) may approve, so the gate can never open. Lower minApprovals or add approvers`,
            ),
          );
        }
        return issues;
      }),
  },
  {
    id: 'approval-require',
    description: "Each group a gate's require counts is among its approvers or the approvers the access block grants on its stage.",
    check: (spec) =>
      eachApproval(spec).flatMap(({ approval, stage, path }) => {
        if (!approval.require) return [];
        const own = approval.approvers;
        const granted = grantedApprovers(spec.access, stage);
        const groups = new Set([...own, ...granted].flatMap((a) => (a.kind === 'group' ? [a.name] : [])));
        const users = [...own, ...granted].filter((a) => a.kind === 'user');
        return approval.require.flatMap((rule) => {
          if (groups.has(rule.group)) return [];
          const fix = `Add group:${rule.group} to approvers, or grant approve on ${stage} to it in spec.access`;
          const rules = formatApprovalRules(approval.require ?? []);
          return [
            users.length === 0
              ? error(
                  'approval-require',
                  [...path, 'require'],
                  `require (${rules}) counts group:${rule.group}, which may not approve this gate, so it can never be met. ${fix}`,
                )
              : warning(
                  'approval-require',
                  [...path, 'require'],
                  `require (${rules}) counts group:${rule.group}, which is not an approver of this gate: only ${users.map(formatEntry).join(', ')} can count toward it, if they are in the group. ${fix}`,
                ),
          ];
        });
      }),
  },
  {
    id: 'access-stages',
    description: 'Grants name stages that exist.',
    check: (spec) => {
      const names = spec.stages.map((s) => s.name);
      return (spec.access?.grants ?? []).flatMap((grant, g) =>
        grant.stages.flatMap((stage, k) => {
          if (stage === '*' || names.includes(stage)) return [];
          const guess = closest(stage, names);
          return [
            error(
              'access-stages',
              [...grantPath(g), 'stages', k],
              `no stage is named "${stage}". ${guess ? `Did you mean "${guess}"?` : `Stages: ${names.join(', ')}, or '*' for all`}`,
            ),
          ];
        }),
      );
    },
  },
  {
    id: 'access-grants',
    description: 'Each grant names people, permissions and stages; warning when nobody may promote.',
    check: (spec) => {
      if (!spec.access) return [];
      const issues = spec.access.grants.flatMap((grant, g) => [
        ...(grant.who.length === 0
          ? [
              error(
                'access-grants',
                [...grantPath(g), 'who'],
                'the grant names nobody: who is empty. Add users (alice) or groups (group:sre), or remove the grant',
              ),
            ]
          : []),
        ...(grant.may.length === 0
          ? [
              error(
                'access-grants',
                [...grantPath(g), 'may'],
                'the grant allows nothing: may is empty. Add promote, approve, operate, rollback, drift or administer',
              ),
            ]
          : []),
        ...(grant.stages.length === 0
          ? [error('access-grants', [...grantPath(g), 'stages'], "the grant covers no stage: stages is empty. Name stages, or write '*' (the default) for all")]
          : []),
        ...duplicates(
          grant.who,
          (a) => `${a.kind}:${a.name}`,
          (k, name) => error('access-grants', [...grantPath(g), 'who', k], `"${name.replace(/^user:/, '')}" is listed twice. Keep one`),
        ),
      ]);
      const promotes = spec.access.grants.some((grant) => grant.may.includes(Permission.Promote) || grant.may.includes(Permission.Administer));
      if (!promotes) {
        issues.push(
          warning(
            'access-grants',
            ['spec', 'access', 'grants'],
            `with this access block nobody may promote ${spec.name}. Add a grant with may: [promote] (e.g. who: [group:release-managers])`,
          ),
        );
      }
      return issues;
    },
  },
  {
    id: 'inline-credentials',
    description: 'Credentials are never written into the pipeline; the repository URL holds no password or token.',
    check: (spec) => {
      let url: URL | undefined;
      try {
        url = new URL(spec.repository.url);
      } catch {
        return [];
      }
      return url.password !== '' || (url.username !== '' && url.protocol.startsWith('http'))
        ? [
            error(
              'inline-credentials',
              ['spec', 'repository', 'url'],
              'the repository URL carries credentials. Remove them and name a worker-side credential in repository.credentials.secretRef',
            ),
          ]
        : [];
    },
  },
  {
    id: 'yaml-path',
    description: 'yamlUpdate paths, canary scale paths and replicaRatio paths parse.',
    check: (spec) => [
      ...eachTarget(spec, (target, path) => {
        if (target.kind !== 'yamlUpdate') return [];
        const parsed = parseYamlPath(target.path);
        return parsed.ok ? [] : [error('yaml-path', [...path, 'yamlUpdate', 'path'], parsed.error)];
      }),
      ...spec.stages.flatMap((stage, i) => {
        const scale = canaryOf(stage)?.scale;
        const parsed = scale ? parseYamlPath(scale.path) : undefined;
        return parsed && !parsed.ok ? [error('yaml-path', [...canaryPath(i), 'scale', 'path'], parsed.error)] : [];
      }),
      ...spec.stages.flatMap((stage, i) => {
        const routing = canaryOf(stage)?.trafficRouting;
        const parsed = routing?.kind === 'replicaRatio' ? parseYamlPath(routing.path) : undefined;
        return routing && parsed && !parsed.ok ? [error('yaml-path', [...routingPath(i, routing), 'path'], parsed.error)] : [];
      }),
    ],
  },
  {
    id: 'update-placeholders',
    description: 'yamlUpdate values use only {{ramp.image}} and {{ramp.version}}, and include the version.',
    check: (spec) =>
      eachTarget(spec, (target, path) => {
        if (target.kind !== 'yamlUpdate') return [];
        const names = placeholders(target.value);
        const unknown = names.filter((n) => n !== 'ramp.image' && n !== 'ramp.version');
        const valuePath = [...path, 'yamlUpdate', 'value'];
        if (unknown.length > 0)
          return [error('update-placeholders', valuePath, `{{${unknown[0]}}} is not available here. Use {{ramp.image}} and {{ramp.version}}`)];
        if (!names.includes('ramp.version'))
          return [error('update-placeholders', valuePath, 'the value never changes: it has no {{ramp.version}}. Write e.g. "{{ramp.image}}:{{ramp.version}}"')];
        return [];
      }),
  },
  {
    id: 'canary-overwrites-stable',
    description: 'The canary never writes the field that holds the stable version.',
    check: (spec) =>
      spec.stages.flatMap((stage, i) => {
        const canary = canaryOf(stage);
        if (!canary) return [];
        const key = (t: UpdateTargetSpec) => (t.kind === 'kustomizeImage' ? `${t.file}#images[${t.name}]` : `${t.file}#${t.path}`);
        const stable = new Set(stage.update.map(key));
        return canary.update.flatMap((target, k) =>
          stable.has(key(target))
            ? [
                error(
                  'canary-overwrites-stable',
                  [...canaryPath(i), 'update', k],
                  `the canary writes ${key(target)}, which stage.update uses for the stable version. Point the canary at its own workload (e.g. canary.yaml)`,
                ),
              ]
            : [],
        );
      }),
  },
  {
    id: 'windows',
    description: 'Deploy windows parse (rrule, cron, start, time zone) and a soak names an earlier stage (src/governance/window-rules.ts).',
    check: stageWindowIssues,
  },
];

export function checkRules(spec: PipelineSpec): SpecIssue[] {
  return rules.flatMap((rule) => rule.check(spec));
}
