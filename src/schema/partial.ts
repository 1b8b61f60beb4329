/**
 * Cross-field rules for a document whose shape is wrong somewhere: so that `ramp validate`
 * reports shape errors and rule errors in one pass. Each part of the pipeline (the metadata,
 * the repository, the artifact, the rollback policy, each analysis template and each stage) is
 * validated on its own; a part with unknown fields or a bad optional field is repaired by
 * leaving them out. A part that cannot be repaired is replaced by a placeholder, and the rules
 * that would judge it — or judge other parts by it — are left out, so no rule reports what
 * only the broken part caused.
 */
import type { z } from 'zod';
import { Access } from './access.js';
import { AnalysisTemplate } from './analysis-template.js';
import type { IssuePath, SpecIssue } from './issue.js';
import { Artifact, Metadata, Repository, assemble } from './pipeline.js';
import { checkRules } from './rules.js';
import { Rollback, Stage } from './stage.js';
import { valueAt } from './zod-issues.js';

/** Rules that judge references to analysis templates: left out when a template is broken or repaired. */
const TEMPLATE_REFERENCES = new Set(['unknown-template', 'analysis-args']);
/** Rules that judge templates by the stages that use them: left out when a stage is broken or repaired. */
const STAGE_REFERENCES = new Set(['unused-template']);
/** Rules that judge references to stage names: left out when a stage is broken (its name is lost). */
const STAGE_NAME_REFERENCES = new Set(['access-stages']);
/** Rules that judge gates by the access block's grants: left out when the access block is broken or repaired. */
const ACCESS_REFERENCES = new Set(['approvers', 'approval-require']);
const ROUNDS = 3;

/**
 * The rule findings for the parts of `input` that parse, after a failed parse of the whole;
 * `shape` holds the paths of the shape findings.
 */
export function partialRuleFindings(input: unknown, shape: readonly IssuePath[]): SpecIssue[] {
  if (!isObject(input) || !isObject(input.spec)) return [];
  const spec = input.spec;
  const broken: IssuePath[] = [];
  const repaired: IssuePath[] = [];
  /** The lists (stages, analysisTemplates) with a part that is broken or was repaired. */
  const changed = new Set<string | number | undefined>(shape.filter((p) => p[0] === 'spec').map((p) => p[1]));
  const part = <S extends z.ZodType>(schema: S, value: unknown, path: IssuePath): z.output<S> | undefined => {
    const result = salvage(schema, value);
    if (!result || result.changed) changed.add(path[1]);
    if (!result) {
      broken.push(path);
      return undefined;
    }
    repaired.push(...result.repaired.map((p) => [...path, ...p]));
    return result.data;
  };
  const list = <S extends z.ZodType>(schema: S, value: unknown, path: IssuePath, placeholder: () => z.output<S>) =>
    value === undefined
      ? []
      : Array.isArray(value)
        ? value.map((item, i) => part(schema, item, [...path, i]) ?? placeholder())
        : (broken.push(path), changed.add(path[1]), []);

  const metadata = part(Metadata, input.metadata, ['metadata']) ?? { name: '' };
  const repository = part(Repository, spec.repository, ['spec', 'repository']) ?? { url: '', branch: 'main' };
  const artifact = part(Artifact, spec.artifact, ['spec', 'artifact']) ?? { image: '' };
  const rollback = part(Rollback.default({ automatic: true, scope: 'stage' }), spec.rollback, ['spec', 'rollback']) ?? {
    automatic: true,
    scope: 'stage' as const,
  };
  const analysisTemplates = list(AnalysisTemplate, spec.analysisTemplates, ['spec', 'analysisTemplates'], placeholderTemplate);
  const stages = list(Stage, spec.stages, ['spec', 'stages'], placeholderStage);
  const access = part(Access.optional(), spec.access, ['spec', 'access']);

  const within = (path: IssuePath, prefix: IssuePath) => prefix.every((segment, i) => path[i] === segment);
  return checkRules(assemble({ metadata, spec: { repository, artifact, rollback, analysisTemplates, stages, access } })).filter(
    (finding) =>
      !broken.some((p) => within(finding.path, p)) &&
      !repaired.some((p) => within(finding.path, p)) &&
      !(changed.has('analysisTemplates') && TEMPLATE_REFERENCES.has(finding.code)) &&
      !(changed.has('stages') && STAGE_REFERENCES.has(finding.code)) &&
      !(broken.some((p) => p[1] === 'stages') && STAGE_NAME_REFERENCES.has(finding.code)) &&
      !(changed.has('access') && ACCESS_REFERENCES.has(finding.code)),
  );
}

/**
 * Parses `value`, leaving out unknown keys and the optional fields that are wrong, for a few
 * rounds. `repaired`: the objects a wrong field was taken out of (their findings would mislead).
 */
function salvage<S extends z.ZodType>(schema: S, value: unknown): { data: z.output<S>; repaired: IssuePath[]; changed: boolean } | undefined {
  let current = value;
  const repaired: IssuePath[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const result = schema.safeParse(current);
    if (result.success) return { data: result.data, repaired, changed: round > 0 };
    if (round === ROUNDS) return undefined;
    // One copy per round, then every repair in place (copying per key is quadratic).
    const next: unknown = structuredClone(current);
    for (const issue of result.error.issues) {
      const path = issue.path as (string | number)[];
      if (issue.code === 'unrecognized_keys') {
        const holder = valueAt(next, path);
        if (isObject(holder)) for (const key of issue.keys) delete holder[key];
        continue;
      }
      const last = path[path.length - 1];
      const parent = valueAt(next, path.slice(0, -1));
      if (typeof last !== 'string' || !isObject(parent) || !(last in parent)) return undefined;
      delete parent[last];
      repaired.push(path.slice(0, -1));
    }
    current = next;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

let stage: z.output<typeof Stage> | undefined;
/** A stage that no rule judges: no name, no path, nothing written. */
function placeholderStage(): z.output<typeof Stage> {
  stage ??= { ...Stage.parse({ name: 'x', path: 'x', update: [{ kustomizeImage: { name: 'x' } }] }), name: '', path: '', update: [] };
  return stage;
}

let template: z.output<typeof AnalysisTemplate> | undefined;
/** A template that no rule judges: no name, nothing measured. */
function placeholderTemplate(): z.output<typeof AnalysisTemplate> {
  template ??= { ...AnalysisTemplate.parse({ name: 'x' }), name: '' };
  return template;
}
