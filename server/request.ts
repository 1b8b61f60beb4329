/** Reading a request's path, query and body through their schemas: anything else is a 400. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, invalidRequest } from './errors.js';

export function pathOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.param());
  if (!result.success) throw invalidRequest('path', result.error.issues);
  return result.data;
}

export function queryOf<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const url = new URL(c.req.url);
  const values: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in values) throw new ApiError(400, `invalid request query: ${JSON.stringify(key.slice(0, 40))} is given more than once`);
    values[key] = value;
  }
  const result = schema.safeParse(values);
  if (!result.success) throw invalidRequest('query', result.error.issues);
  return result.data;
}

/** The JSON body (an empty body is `{}`), checked against `schema`. */
export async function bodyOf<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid request body: it is not JSON', { hint: 'send a JSON object with Content-Type: application/json' });
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalidRequest('body', result.error.issues);
  return result.data;
}
