/** One table per cross-field rule: inputs that break it, and inputs that must not. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatPath } from '../../src/schema/issue.js';
import { rules } from '../../src/schema/rules.js';
import { canary, normalisedSpec, type Draft } from '../support/pipeline-builder.js';

interface Case {
  name: string;
  edit: (draft: Draft) => void;
  /** Expected findings of this rule as `severity path`, in order; [] when the rule must stay quiet. */
  expect: string[];
}

const JUDGE = (): Draft => ({
  lookback: '10m',
  metrics: [
    {
      name: 'errors',
      groups: ['errors'],
      baseline: { prometheus: { address: 'http://p:9090', query: 'a' } },
      canary: { prometheus: { address: 'http://p:9090', query: 'b' } },
    },
  ],
});
const HOOK = (name: string): Draft => ({ name, type: 'confirm-promotion', url: 'http://hooks.example.com/gate' });

const table: Record<string, Case[]> = {
  'duplicate-stage': [
    { name: 'two stages named staging', edit: (d) => (d.spec.stages[1].name = 'staging'), expect: ['error spec.stages[1].name'] },
    { name: 'distinct names', edit: () => {}, expect: [] },
  ],
  'duplicate-stage-path': [
    { name: 'same directory, trailing slash ignored', edit: (d) => (d.spec.stages[1].path = 'envs/staging/'), expect: ['error spec.stages[1].path'] },
    { name: 'same directory, written ./envs//staging', edit: (d) => (d.spec.stages[1].path = './envs//staging'), expect: ['error spec.stages[1].path'] },
    { name: 'different directories', edit: () => {}, expect: [] },
  ],
  'duplicate-template': [
    {
      name: 'two templates named errors',
      edit: (d) => d.spec.analysisTemplates.push(structuredClone(d.spec.analysisTemplates[0])),
      expect: ['error spec.analysisTemplates[1].name'],
    },
    { name: 'one template', edit: () => {}, expect: [] },
  ],
  'duplicate-metric': [
    {
      name: 'two metrics with one name',
      edit: (d) => d.spec.analysisTemplates[0].metrics.push(structuredClone(d.spec.analysisTemplates[0].metrics[0])),
      expect: ['error spec.analysisTemplates[0].metrics[1].name'],
    },
    { name: 'one metric', edit: () => {}, expect: [] },
  ],
  'weights-decrease': [
    { name: '80 then 60', edit: (d) => (canary(d).steps[0] = { setWeight: 80 }), expect: ['error spec.stages[0].strategy.canary.steps[2].setWeight'] },
    { name: 'equal weights are allowed', edit: (d) => (canary(d).steps[2] = { setWeight: 20 }), expect: [] },
    { name: 'increasing', edit: () => {}, expect: [] },
  ],
  'weight-without-routing': [
    { name: 'setWeight without trafficRouting', edit: (d) => delete canary(d).trafficRouting, expect: ['error spec.stages[0].strategy.canary.steps[0]'] },
    {
      name: 'pause-only canary needs no routing',
      edit: (d) => {
        delete canary(d).trafficRouting;
        canary(d).steps = [{ pause: {} }];
      },
      expect: [],
    },
    {
      name: 'replicaRatio is routing',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 10 } }),
      expect: [],
    },
    {
      name: 'istio is routing',
      edit: (d) => (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop-stable' }, canary: { host: 'shop-canary' } } }),
      expect: [],
    },
  ],
  'routing-stable-is-canary': [
    {
      name: 'one backend for both tracks',
      edit: (d) => (canary(d).trafficRouting.gatewayAPI.canaryBackend = 'shop-stable'),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.gatewayAPI.canaryBackend'],
    },
    {
      name: 'smi: one backend for both tracks',
      edit: (d) => (canary(d).trafficRouting = { smi: { file: 'split.yaml', stableBackend: 'shop', canaryBackend: 'shop' } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.smi.canaryBackend'],
    },
    {
      name: 'istio: one host, no subsets',
      edit: (d) => (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop' }, canary: { host: 'shop' } } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.istio.canary'],
    },
    {
      name: 'istio: one host, a subset on one side only',
      edit: (d) => (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop' }, canary: { host: 'shop', subset: 'canary' } } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.istio.canary'],
    },
    {
      name: 'istio: one host and subset',
      edit: (d) => (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop', subset: 'v1' }, canary: { host: 'shop', subset: 'v1' } } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.istio.canary'],
    },
    {
      name: 'replicaRatio: one file for both workloads',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'shop.yaml', canaryFile: './shop.yaml', replicas: 4 } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.replicaRatio.canaryFile'],
    },
    {
      name: 'istio: one host, two subsets',
      edit: (d) =>
        (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop', subset: 'stable' }, canary: { host: 'shop', subset: 'canary' } } }),
      expect: [],
    },
    {
      name: 'istio: a host per track',
      edit: (d) => (canary(d).trafficRouting = { istio: { file: 'vs.yaml', stable: { host: 'shop-stable' }, canary: { host: 'shop-canary' } } }),
      expect: [],
    },
    {
      name: 'replicaRatio: a file per workload',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 4 } }),
      expect: [],
    },
    { name: 'two backends', edit: () => {}, expect: [] },
  ],
  'replica-ratio-with-scale': [
    {
      name: 'replicaRatio and scale',
      edit: (d) => {
        canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 10 } };
        canary(d).scale = { file: 'canary.yaml', replicas: 1 };
      },
      expect: ['error spec.stages[0].strategy.canary.scale'],
    },
    {
      name: 'replicaRatio alone',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 10 } }),
      expect: [],
    },
    { name: 'gatewayAPI and scale', edit: (d) => (canary(d).scale = { file: 'canary.yaml', replicas: 1 }), expect: [] },
  ],
  'replica-ratio-no-stable': [
    {
      name: 'one replica: any weight takes it',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 1 } }),
      expect: ['warning spec.stages[0].strategy.canary.steps[0].setWeight', 'warning spec.stages[0].strategy.canary.steps[2].setWeight'],
    },
    {
      name: 'two replicas: 60% rounds up to both',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 2 } }),
      expect: ['warning spec.stages[0].strategy.canary.steps[2].setWeight'],
    },
    {
      name: 'five replicas leave a stable one',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 5 } }),
      expect: [],
    },
    {
      name: 'setWeight 100 means all traffic',
      edit: (d) => {
        canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', replicas: 1 } };
        canary(d).steps = [{ setWeight: 0 }, { setWeight: 100 }, { pause: {} }];
      },
      expect: [],
    },
    { name: 'gatewayAPI has no replicas to run out of', edit: () => {}, expect: [] },
  ],
  'full-weight-step': [
    {
      name: 'last step setWeight 100',
      edit: (d) => canary(d).steps.push({ setWeight: 100 }),
      expect: ['warning spec.stages[0].strategy.canary.steps[4].setWeight'],
    },
    { name: 'setWeight 100 followed by a pause', edit: (d) => canary(d).steps.push({ setWeight: 100 }, { pause: {} }), expect: [] },
  ],
  'canary-without-analysis': [
    {
      name: 'background analysis measures it',
      edit: (d) => {
        canary(d).steps = [{ setWeight: 10 }, { pause: { duration: '1m' } }];
        canary(d).analysis = { templates: [{ templateName: 'errors' }], args: [{ name: 'service', value: 'x' }] };
      },
      expect: [],
    },
    {
      name: 'only weights and timed pauses',
      edit: (d) => (canary(d).steps = [{ setWeight: 10 }, { pause: { duration: '1m' } }]),
      expect: ['warning spec.stages[0].strategy.canary.steps'],
    },
    { name: 'an indefinite pause is a human check', edit: (d) => (canary(d).steps = [{ setWeight: 10 }, { pause: {} }]), expect: [] },
    { name: 'an approval step is a human check', edit: (d) => (canary(d).steps = [{ setWeight: 10 }, { approval: { approvers: ['bob'] } }]), expect: [] },
    {
      name: 'an approval gate is a human check',
      edit: (d) => {
        canary(d).steps = [{ setWeight: 10 }];
        d.spec.stages[0].approval = { approvers: ['bob'] };
      },
      expect: [],
    },
  ],
  'unknown-template': [
    {
      name: 'in background analysis',
      edit: (d) => (canary(d).analysis = { templates: [{ templateName: 'nope' }] }),
      expect: ['error spec.stages[0].strategy.canary.analysis.templates[0].templateName'],
    },
    {
      name: 'in post-promotion verification',
      edit: (d) => (d.spec.stages[1].verification = { postPromotion: { templates: [{ templateName: 'nope' }] } }),
      expect: ['error spec.stages[1].verification.postPromotion.templates[0].templateName'],
    },
    {
      name: 'misspelt template',
      edit: (d) => (canary(d).steps[1].analysis.templates[0].templateName = 'error'),
      expect: ['error spec.stages[0].strategy.canary.steps[1].analysis.templates[0].templateName'],
    },
    { name: 'existing template', edit: () => {}, expect: [] },
  ],
  'analysis-args': [
    {
      name: 'verification without the required arg',
      edit: (d) => (d.spec.stages[1].verification = { prePromotion: { templates: [{ templateName: 'errors' }] } }),
      expect: ['error spec.stages[1].verification.prePromotion'],
    },
    { name: 'required arg missing', edit: (d) => (canary(d).steps[1].analysis.args = []), expect: ['error spec.stages[0].strategy.canary.steps[1].analysis'] },
    {
      name: 'undeclared arg',
      edit: (d) => canary(d).steps[1].analysis.args.push({ name: 'namespace', value: 'x' }),
      expect: ['error spec.stages[0].strategy.canary.steps[1].analysis.args[1].name'],
    },
    {
      name: 'arg given twice',
      edit: (d) => canary(d).steps[1].analysis.args.push({ name: 'service', value: 'y' }),
      expect: ['error spec.stages[0].strategy.canary.steps[1].analysis.args[1].name'],
    },
    {
      name: 'arg with a default may be omitted',
      edit: (d) => ((d.spec.analysisTemplates[0].args[0].value = 'shop'), (canary(d).steps[1].analysis.args = [])),
      expect: [],
    },
    { name: 'all args given', edit: () => {}, expect: [] },
  ],
  'query-placeholders': [
    {
      name: 'in a judge query',
      edit: (d) =>
        (d.spec.analysisTemplates[0].judge = {
          ...JUDGE(),
          metrics: [{ ...JUDGE().metrics[0], canary: { prometheus: { address: 'http://p:9090', query: 'x{v="{{ramp.versoin}}"}' } } }],
        }),
      expect: ['error spec.analysisTemplates[0].judge.metrics[0].canary.prometheus.query'],
    },
    {
      name: 'undeclared arg',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].provider.prometheus.query = 'up{job="{{args.job}}"}'),
      expect: ['error spec.analysisTemplates[0].metrics[0].provider.prometheus.query'],
    },
    {
      name: 'unknown built-in',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].provider.prometheus.query = 'up{env="{{ramp.environment}}"}'),
      expect: ['error spec.analysisTemplates[0].metrics[0].provider.prometheus.query'],
    },
    {
      name: 'declared arg and built-ins',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].provider.prometheus.query = 'up{s="{{ args.service }}",e="{{ramp.stage}}",v="{{ramp.version}}"}'),
      expect: [],
    },
  ],
  'condition-syntax': [
    {
      name: 'truncated expression',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].successCondition = 'result[0] <'),
      expect: ['error spec.analysisTemplates[0].metrics[0].successCondition'],
    },
    {
      name: 'unknown variable',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].failureCondition = 'value > 1'),
      expect: ['error spec.analysisTemplates[0].metrics[0].failureCondition'],
    },
    {
      name: 'not a boolean',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].successCondition = '"yes"'),
      expect: ['error spec.analysisTemplates[0].metrics[0].successCondition'],
    },
    {
      name: 'guards and functions',
      edit: (d) => (d.spec.analysisTemplates[0].metrics[0].successCondition = 'size(result) > 0 && !isNaN(result[0]) && result[0] < 0.01'),
      expect: [],
    },
  ],
  'metric-without-conditions': [
    {
      name: 'no conditions',
      edit: (d) => delete d.spec.analysisTemplates[0].metrics[0].successCondition,
      expect: ['warning spec.analysisTemplates[0].metrics[0].name'],
    },
    {
      name: 'no conditions but dryRun',
      edit: (d) => {
        delete d.spec.analysisTemplates[0].metrics[0].successCondition;
        d.spec.analysisTemplates[0].metrics[0].dryRun = true;
      },
      expect: [],
    },
    {
      name: 'failureCondition only',
      edit: (d) => {
        delete d.spec.analysisTemplates[0].metrics[0].successCondition;
        d.spec.analysisTemplates[0].metrics[0].failureCondition = 'result[0] > 0.05';
      },
      expect: [],
    },
  ],
  'consecutive-success-limit': [
    {
      name: 'more successes than measurements',
      edit: (d) => Object.assign(d.spec.analysisTemplates[0].metrics[0], { count: 3, interval: '1m', consecutiveSuccessLimit: 4 }),
      expect: ['error spec.analysisTemplates[0].metrics[0].consecutiveSuccessLimit'],
    },
    {
      name: 'reachable',
      edit: (d) => Object.assign(d.spec.analysisTemplates[0].metrics[0], { count: 5, interval: '1m', consecutiveSuccessLimit: 3 }),
      expect: [],
    },
    { name: 'off by default', edit: () => {}, expect: [] },
  ],
  'count-needs-interval': [
    {
      name: 'count 3 without interval',
      edit: (d) => delete d.spec.analysisTemplates[0].metrics[0].interval,
      expect: ['error spec.analysisTemplates[0].metrics[0].count'],
    },
    {
      name: 'a single measurement needs no interval',
      edit: (d) => {
        delete d.spec.analysisTemplates[0].metrics[0].interval;
        delete d.spec.analysisTemplates[0].metrics[0].count;
      },
      expect: [],
    },
  ],
  'empty-template': [
    { name: 'no metrics and no judge', edit: (d) => (d.spec.analysisTemplates[0].metrics = []), expect: ['error spec.analysisTemplates[0].name'] },
    {
      name: 'a judge alone is enough',
      edit: (d) => {
        d.spec.analysisTemplates[0].metrics = [];
        d.spec.analysisTemplates[0].judge = JUDGE();
      },
      expect: [],
    },
  ],
  'judge-settings': [
    {
      name: 'marginal above pass',
      edit: (d) => (d.spec.analysisTemplates[0].judge = { ...JUDGE(), thresholds: { pass: 80, marginal: 90 } }),
      expect: ['error spec.analysisTemplates[0].judge.thresholds.marginal'],
    },
    {
      name: 'a weight for a group nobody is in',
      edit: (d) => (d.spec.analysisTemplates[0].judge = { ...JUDGE(), groupWeights: { latency: 50 } }),
      expect: ['error spec.analysisTemplates[0].judge.groupWeights.latency'],
    },
    {
      name: 'weights over 100',
      edit: (d) => (d.spec.analysisTemplates[0].judge = { ...JUDGE(), groupWeights: { errors: 120 } }),
      expect: ['warning spec.analysisTemplates[0].judge.groupWeights'],
    },
    {
      name: 'count without interval',
      edit: (d) => (d.spec.analysisTemplates[0].judge = { ...JUDGE(), count: 3 }),
      expect: ['error spec.analysisTemplates[0].judge.count'],
    },
    {
      name: 'a sound judge',
      edit: (d) => (d.spec.analysisTemplates[0].judge = { ...JUDGE(), count: 3, interval: '5m', groupWeights: { errors: 100 } }),
      expect: [],
    },
  ],
  'starting-step': [
    {
      name: 'past the last step',
      edit: (d) => (canary(d).analysis = { templates: [{ templateName: 'errors' }], args: [{ name: 'service', value: 'x' }], startingStep: 5 }),
      expect: ['error spec.stages[0].strategy.canary.analysis.startingStep'],
    },
    {
      name: 'at the last step',
      edit: (d) => (canary(d).analysis = { templates: [{ templateName: 'errors' }], args: [{ name: 'service', value: 'x' }], startingStep: 4 }),
      expect: [],
    },
  ],
  'sync-agent': [
    { name: 'argocd without its Application', edit: (d) => (d.spec.stages[0].sync = { mode: 'argocd' }), expect: ['error spec.stages[0].sync.mode'] },
    { name: 'flux without its Kustomization', edit: (d) => (d.spec.stages[0].sync = { mode: 'flux' }), expect: ['error spec.stages[0].sync.mode'] },
    {
      name: 'an Application for apply',
      edit: (d) => (d.spec.stages[0].sync = { mode: 'apply', application: { name: 'web' } }),
      expect: ['error spec.stages[0].sync.application'],
    },
    {
      name: 'a Kustomization for argocd',
      edit: (d) => (d.spec.stages[0].sync = { mode: 'argocd', application: { name: 'web' }, kustomization: { name: 'web' } }),
      expect: ['error spec.stages[0].sync.kustomization'],
    },
    { name: 'argocd with its Application', edit: (d) => (d.spec.stages[0].sync = { mode: 'argocd', application: { name: 'web-staging' } }), expect: [] },
    { name: 'flux with its Kustomization', edit: (d) => (d.spec.stages[0].sync = { mode: 'flux', kustomization: { name: 'web-staging' } }), expect: [] },
    { name: 'apply alone', edit: (d) => (d.spec.stages[0].sync = { mode: 'apply', namespace: 'web-staging' }), expect: [] },
  ],
  'drift-needs-cluster': [
    { name: 'drift without sync', edit: (d) => (d.spec.stages[0].drift = { policy: 'alert' }), expect: ['error spec.stages[0].drift'] },
    {
      name: 'drift with sync mode none',
      edit: (d) => ((d.spec.stages[0].sync = { mode: 'none' }), (d.spec.stages[0].drift = {})),
      expect: ['error spec.stages[0].drift'],
    },
    {
      name: 'drift with apply',
      edit: (d) => ((d.spec.stages[0].sync = { mode: 'apply' }), (d.spec.stages[0].drift = { policy: 'revert', interval: '30s' })),
      expect: [],
    },
  ],
  'duplicate-webhook': [
    {
      name: 'two hooks with one name',
      edit: (d) => (d.spec.stages[0].webhooks = [HOOK('gate'), HOOK('gate')]),
      expect: ['error spec.stages[0].webhooks[1].name'],
    },
    { name: 'distinct names', edit: (d) => (d.spec.stages[0].webhooks = [HOOK('gate'), HOOK('load')]), expect: [] },
  ],
  'unused-template': [
    {
      name: 'template no step uses',
      edit: (d) => d.spec.analysisTemplates.push({ ...structuredClone(d.spec.analysisTemplates[0]), name: 'spare' }),
      expect: ['warning spec.analysisTemplates[1].name'],
    },
    { name: 'all used', edit: () => {}, expect: [] },
  ],
  approvers: [
    { name: 'approver listed twice', edit: (d) => d.spec.stages[1].approval.approvers.push('alice'), expect: ['error spec.stages[1].approval.approvers[2]'] },
    {
      name: 'more approvals than users',
      edit: (d) => (d.spec.stages[1].approval = { approvers: ['alice', 'bob'], minApprovals: 3 }),
      expect: ['error spec.stages[1].approval.minApprovals'],
    },
    { name: 'a group may hold enough people', edit: (d) => (d.spec.stages[1].approval = { approvers: ['alice', 'group:sre'], minApprovals: 3 }), expect: [] },
    {
      name: 'users granted approve on the stage count',
      edit: (d) => {
        d.spec.stages[1].approval = { approvers: ['alice', 'bob'], minApprovals: 3 };
        d.spec.access = { grants: [{ who: ['carol'], may: ['approve', 'promote'], stages: ['production'] }] };
      },
      expect: [],
    },
    {
      name: 'an approval step is checked too',
      edit: (d) => canary(d).steps.push({ approval: { approvers: ['bob', 'bob'] } }),
      expect: ['error spec.stages[0].strategy.canary.steps[4].approval.approvers[1]'],
    },
    { name: 'a user and a group of the same name are different', edit: (d) => (d.spec.stages[1].approval.approvers = ['sre', 'group:sre']), expect: [] },
  ],
  'inline-credentials': [
    {
      name: 'password in an https URL',
      edit: (d) => (d.spec.repository.url = 'https://bot:hunter2@git.example.com/x.git'),
      expect: ['error spec.repository.url'],
    },
    { name: 'token as https user', edit: (d) => (d.spec.repository.url = 'https://ghp_abcdef@git.example.com/x.git'), expect: ['error spec.repository.url'] },
    { name: 'ssh user is not a secret', edit: (d) => (d.spec.repository.url = 'ssh://git@git.example.com/x.git'), expect: [] },
    { name: 'scp-like ssh and local paths', edit: (d) => (d.spec.repository.url = 'git@git.example.com:platform/x.git'), expect: [] },
  ],
  'yaml-path': [
    {
      name: 'empty segment',
      edit: (d) => (canary(d).update[0].yamlUpdate.path = 'spec..image'),
      expect: ['error spec.stages[0].strategy.canary.update[0].yamlUpdate.path'],
    },
    {
      name: 'bad selector in scale',
      edit: (d) => (canary(d).scale = { file: 'canary.yaml', path: 'spec.replicas[=]', replicas: 1 }),
      expect: ['error spec.stages[0].strategy.canary.scale.path'],
    },
    {
      name: 'bad replicaRatio path',
      edit: (d) => (canary(d).trafficRouting = { replicaRatio: { stableFile: 'stable.yaml', canaryFile: 'canary.yaml', path: 'spec..replicas', replicas: 4 } }),
      expect: ['error spec.stages[0].strategy.canary.trafficRouting.replicaRatio.path'],
    },
    { name: 'index and selector', edit: (d) => (canary(d).update[0].yamlUpdate.path = 'spec.template.spec.containers[name=web].env[0].value'), expect: [] },
  ],
  'update-placeholders': [
    {
      name: 'unknown placeholder',
      edit: (d) => (canary(d).update[0].yamlUpdate.value = '{{ramp.image}}:{{tag}}'),
      expect: ['error spec.stages[0].strategy.canary.update[0].yamlUpdate.value'],
    },
    {
      name: 'no version',
      edit: (d) => (canary(d).update[0].yamlUpdate.value = '{{ramp.image}}:latest'),
      expect: ['error spec.stages[0].strategy.canary.update[0].yamlUpdate.value'],
    },
    { name: 'version only', edit: (d) => (canary(d).update[0].yamlUpdate.value = '{{ramp.version}}'), expect: [] },
  ],
  'approval-require': [
    {
      name: 'require counts a group that may not approve',
      edit: (d) => (d.spec.stages[1].approval = { approvers: ['group:sre'], require: '1 of group:sre and 1 of group:product' }),
      expect: ['error spec.stages[1].approval.require'],
    },
    {
      name: 'a group outside the approvers, with user approvers who might be in it: a warning',
      edit: (d) => (d.spec.stages[1].approval.require = '1 of group:product'),
      expect: ['warning spec.stages[1].approval.require'],
    },
    {
      name: 'a group the access block grants approve on the stage',
      edit: (d) => {
        d.spec.stages[1].approval = { approvers: ['group:sre'], require: '1 of group:sre and 1 of group:product' };
        d.spec.access = { grants: [{ who: ['group:product', 'group:rm'], may: ['approve', 'promote'], stages: ['production'] }] };
      },
      expect: [],
    },
    {
      name: 'a grant on another stage does not count',
      edit: (d) => {
        d.spec.stages[1].approval = { approvers: ['group:sre'], require: '1 of group:product' };
        d.spec.access = { grants: [{ who: ['group:product'], may: ['approve', 'promote'], stages: ['staging'] }] };
      },
      expect: ['error spec.stages[1].approval.require'],
    },
    {
      name: 'an approval step is judged too',
      edit: (d) => canary(d).steps.push({ approval: { approvers: ['group:qa'], require: [{ count: 2, of: 'group:sre' }] } }),
      expect: ['error spec.stages[0].strategy.canary.steps[4].approval.require'],
    },
    { name: 'require within the approvers', edit: (d) => (d.spec.stages[1].approval.require = '2 of group:sre'), expect: [] },
  ],
  'access-stages': [
    {
      name: 'a grant names a stage that does not exist',
      edit: (d) => (d.spec.access = { grants: [{ who: ['alice'], may: ['promote'], stages: ['staging', 'prodution'] }] }),
      expect: ['error spec.access.grants[0].stages[1]'],
    },
    {
      name: "'*' and existing stages",
      edit: (d) => (d.spec.access = { grants: [{ who: ['alice'], may: ['promote'], stages: ['*', 'production'] }] }),
      expect: [],
    },
    { name: 'no access block', edit: () => {}, expect: [] },
  ],
  'access-grants': [
    {
      name: 'empty who, may and stages',
      edit: (d) =>
        (d.spec.access = {
          grants: [
            { who: ['alice'], may: ['promote'] },
            { who: [], may: [], stages: [] },
          ],
        }),
      expect: ['error spec.access.grants[1].who', 'error spec.access.grants[1].may', 'error spec.access.grants[1].stages'],
    },
    {
      name: 'a person listed twice',
      edit: (d) => (d.spec.access = { grants: [{ who: ['group:sre', 'alice', 'group:sre'], may: ['promote'] }] }),
      expect: ['error spec.access.grants[0].who[2]'],
    },
    {
      name: 'nobody may promote: a warning',
      edit: (d) => (d.spec.access = { grants: [{ who: ['group:sre'], may: ['operate'] }] }),
      expect: ['warning spec.access.grants'],
    },
    { name: 'administer promotes', edit: (d) => (d.spec.access = { grants: [{ who: ['root'], may: ['administer'] }] }), expect: [] },
    { name: 'no access block', edit: () => {}, expect: [] },
  ],
  'canary-overwrites-stable': [
    {
      name: 'canary writes the stable kustomize image',
      edit: (d) => (canary(d).update = [{ kustomizeImage: { name: 'shop' } }]),
      expect: ['error spec.stages[0].strategy.canary.update[0]'],
    },
    { name: 'canary has its own file', edit: () => {}, expect: [] },
  ],
  windows: [
    {
      name: 'an rrule that does not parse, a bad time zone, a soak after a later stage',
      edit: (d) => {
        d.spec.stages[0].windows = { timeZone: 'Europe/Berlinn', allow: [{ name: 'day', rrule: 'FREQ=DAILX', start: '2026-01-05T09:00', duration: '8h' }] };
        d.spec.stages[1].windows = { allow: [{ name: 'day', cron: '0 9 * * 8', duration: '8h' }], deny: [{ name: 'when', duration: '1h' }] };
        d.spec.stages[0].soak = { after: d.spec.stages[1].name, for: '1h' };
      },
      expect: [
        'error spec.stages[0].windows.timeZone',
        'error spec.stages[0].soak.after',
        'error spec.stages[1].windows.allow[0].cron',
        'error spec.stages[1].windows.deny[0]',
      ],
    },
    {
      name: 'business hours in New York, a one-off holiday, a soak after the first stage',
      edit: (d) => {
        d.spec.stages[1].windows = {
          timeZone: 'America/New_York',
          allow: [{ name: 'day', rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', start: '2026-01-05T09:00', duration: '8h' }],
          deny: [{ name: 'holiday', start: '2026-12-20T00:00', duration: '15d', timeZone: 'Europe/Berlin' }],
        };
        d.spec.stages[1].soak = { after: d.spec.stages[0].name, for: '4h' };
      },
      expect: [],
    },
  ],
};

describe('cross-field rules', () => {
  test('every rule has a table, and every table a rule', () => {
    assert.deepEqual(Object.keys(table).sort(), rules.map((r) => r.id).sort());
  });
  for (const rule of rules) {
    describe(rule.id, () => {
      for (const c of table[rule.id] ?? []) {
        test(c.name, () => {
          const found = rule.check(normalisedSpec(c.edit)).map((i) => `${i.severity} ${formatPath(i.path)}`);
          assert.deepEqual(found, c.expect);
        });
      }
      test('has a case that fires and one that stays quiet', () => {
        const cases = table[rule.id] ?? [];
        assert.ok(cases.some((c) => c.expect.length > 0) && cases.some((c) => c.expect.length === 0));
      });
    });
  }
});
