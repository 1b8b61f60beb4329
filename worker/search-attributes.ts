/**
 * Before a worker polls, the namespace must know the search attributes ramp's workflows upsert
 * (workflows/search-attributes.ts): Temporal fails the workflow task of an upsert naming an
 * unregistered attribute, and the promotion would hang. Missing ones are registered through the
 * operator service; where the server refuses (permissions, Temporal Cloud), the worker does not
 * start and says how to register them.
 */
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes.js';

/** temporal.api.enums.v1.IndexedValueType (@temporalio/proto is not a direct dependency). */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };

export class SearchAttributesMissingError extends Error {}

/** The registration commands for `missing`, as a person would type them. */
export function registrationHint(namespace: string, missing: readonly { name: string; type: string }[]): string {
  const cliType = (type: string) => type.toLowerCase().replace(/(^|_)([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase());
  return missing.map((key) => `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${cliType(key.type)}`).join('\n  ');
}

/** Registers ramp's search attributes that `namespace` lacks; returns the names it added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  let known: Record<string, unknown>;
  try {
    known = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (error) {
    throw new SearchAttributesMissingError(
      `could not list the search attributes of namespace ${namespace} (${message(error)}); ramp's workflows need them registered:\n  ${registrationHint(namespace, SEARCH_ATTRIBUTE_KEYS)}`,
    );
  }
  const missing = SEARCH_ATTRIBUTE_KEYS.filter((key) => !(key.name in known));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
  } catch (error) {
    throw new SearchAttributesMissingError(
      `namespace ${namespace} lacks the search attributes ${missing.map((k) => k.name).join(', ')} that ramp's workflows set, and registering them failed (${message(error)}). Register them, then start the worker again:\n  ${registrationHint(namespace, missing)}`,
    );
  }
  return missing.map((key) => key.name);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
