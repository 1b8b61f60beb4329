/**
 * What an analysis reference (a step, background analysis, or verification) runs: the metrics
 * of its templates, and the values of `{{args.*}}` (template defaults, then the reference's
 * args) and of the built-in `{{ramp.*}}` variables.
 */
import type { AnalysisTemplateSpec, JudgeSpec, MetricSpec } from '../schema/pipeline.js';

export interface AnalysisRefSpec {
  templates: string[];
  args: { name: string; value: string }[];
}

export interface Builtins {
  pipeline: string;
  stage: string;
  version: string;
  image: string;
  /** The canary's and the stable's backend names, from the stage's traffic routing. */
  canary?: string;
  stable?: string;
}

export interface ResolvedAnalysis {
  metrics: MetricSpec[];
  /** The templates' judges, named after their template. */
  judges: { name: string; judge: JudgeSpec }[];
  args: Record<string, string>;
  /** Templates the reference names that do not exist (validation prevents this; pinned specs are trusted). */
  missing: string[];
}

export function resolveAnalysis(ref: AnalysisRefSpec, templates: readonly AnalysisTemplateSpec[], builtins: Builtins): ResolvedAnalysis {
  const used = ref.templates.map((name) => templates.find((t) => t.name === name));
  const args: Record<string, string> = {
    'ramp.pipeline': builtins.pipeline,
    'ramp.stage': builtins.stage,
    'ramp.version': builtins.version,
    'ramp.image': builtins.image,
    'ramp.canary': builtins.canary ?? '',
    'ramp.stable': builtins.stable ?? '',
  };
  for (const template of used) {
    for (const arg of template?.args ?? []) if (arg.value !== undefined) args[`args.${arg.name}`] = arg.value;
  }
  for (const arg of ref.args) args[`args.${arg.name}`] = arg.value;
  return {
    metrics: used.flatMap((t) => t?.metrics ?? []),
    // `judge` is absent in templates pinned before judges existed.
    judges: used.flatMap((t) => ((t as Partial<AnalysisTemplateSpec> | undefined)?.judge ? [{ name: t!.name, judge: t!.judge! }] : [])),
    args,
    missing: ref.templates.filter((_, i) => used[i] === undefined),
  };
}
