/**
 * Which versions a rollback may go back to: only one that was live in the stage before, as
 * Git's history says — the stage's stable target (its first `update` entry) held exactly the
 * value that writing this version produces, in some commit on the branch, whoever made it.
 * Anything else is a promotion and passes the stage's gates. Pure: the promotion workflow
 * decides with it.
 */
import type { UpdateTargetSpec } from '../schema/pipeline.js';
import { renderTemplate } from './template.js';

/** Where a stage's stable version lives: a file (relative to the repository root) and a YAML path in it. */
export function stableField(stagePath: string, target: UpdateTargetSpec): { file: string; path: string } {
  const file = [...stagePath.split('/'), ...target.file.split('/')].filter((part) => part !== '' && part !== '.').join('/');
  return { file, path: target.kind === 'kustomizeImage' ? `images[name=${target.name}].newTag` : target.path };
}

/** The value writing `version` puts at the target (what the Git history must show). */
export function stableValue(target: UpdateTargetSpec, image: string, version: string): string {
  return target.kind === 'kustomizeImage' ? version : renderTemplate(target.value, { 'ramp.image': image, 'ramp.version': version });
}

/**
 * Why a rollback of `stage` to `version` is refused, or null when it may go ahead. `values`:
 * the distinct values the stable target had on the branch, newest first.
 */
export function rollbackRefusal(values: readonly string[], expected: string, where: { pipeline: string; stage: string; version: string }): string | null {
  if (values.includes(expected)) return null;
  const { pipeline, stage, version } = where;
  const seen = values.length > 0 ? `it held ${values.slice(0, 8).join(', ')}${values.length > 8 ? ', …' : ''}` : 'its history is empty';
  return `${version} was never live in ${stage}: Git's history of its stable version never says ${expected} (${seen}). A rollback goes only to a version that was live in the stage before; anything else is a promotion and passes the stage's gates: ramp promote ${pipeline} ${version}`;
}
