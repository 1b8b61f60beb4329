/** The JSON Schema of what users write, generated from the zod schema (the single source of truth). */
import { z } from 'zod';
import { PipelineInputSchema } from './pipeline.js';

export const SCHEMA_ID = 'https://ramp.dev/schemas/pipeline-v1.json';

export type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  required?: string[];
  [key: string]: unknown;
};

export function pipelineJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(PipelineInputSchema, { io: 'input', target: 'draft-7' }) as JsonSchema;
  return {
    $schema: schema.$schema,
    $id: SCHEMA_ID,
    title: 'ramp Pipeline (ramp/v1)',
    description: 'A ramp promotion pipeline: stages of a GitOps repository, canary steps, analysis, approvals.',
    ...schema,
  };
}

let cached: JsonSchema | undefined;

/** The object schemas that may describe the node at `path` (several where a union allows). */
export function schemasAt(path: readonly (string | number)[]): JsonSchema[] {
  cached ??= pipelineJsonSchema();
  let current: JsonSchema[] = [cached];
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of current.flatMap(expandUnions)) {
      if (typeof segment === 'number') {
        if (schema.items) next.push(schema.items);
      } else if (schema.properties?.[segment]) {
        next.push(schema.properties[segment]);
      }
    }
    current = next;
  }
  return current.flatMap(expandUnions);
}

function expandUnions(schema: JsonSchema): JsonSchema[] {
  const branches = schema.anyOf ?? schema.oneOf;
  return branches ? branches.flatMap(expandUnions) : [schema];
}

/** Field names allowed at `path`. */
export function knownFields(path: readonly (string | number)[]): string[] {
  return [...new Set(schemasAt(path).flatMap((schema) => Object.keys(schema.properties ?? {})))];
}

/** The description of the field at `path`, if the schema gives one. */
export function describeField(path: readonly (string | number)[]): string | undefined {
  return schemasAt(path).find((schema) => schema.description)?.description;
}
