/** Builds pipeline inputs for table tests: the minimal valid fixture, changed by a function. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { PipelineInputSchema, type PipelineSpec } from '../../src/schema/pipeline.js';

const minimalYaml = readFileSync(new URL('../fixtures/pipelines/valid/minimal.yaml', import.meta.url), 'utf8');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into the input freely
export type Draft = any;

/** A fresh copy of the minimal valid pipeline input (what a user writes), changed by `edit`. */
export function pipelineInput(edit: (draft: Draft) => void = () => {}): unknown {
  const draft: Draft = parse(minimalYaml);
  edit(draft);
  return draft;
}

/** Parses an input that must pass the shape phase, for rules that run on the normalised spec. */
export function normalisedSpec(edit?: (draft: Draft) => void): PipelineSpec {
  const result = PipelineInputSchema.safeParse(pipelineInput(edit));
  if (!result.success) throw new Error(`the draft does not pass the shape phase: ${result.error.message}`);
  return result.data;
}

/** The canary strategy of stage `i` in a draft. */
export const canary = (draft: Draft, i = 0): Draft => draft.spec.stages[i].strategy.canary;
