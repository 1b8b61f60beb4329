/**
 * docs/api/README.md: the human reference of `ramp server`'s API, rendered from the same OpenAPI
 * document (server/openapi.ts) — routes, parameters, request fields, answers — so that it
 * cannot drift from what the server validates. Written by `npm run openapi`.
 */

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  description?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { description?: string }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const cell = (text: string | undefined): string => (text ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');

function typeOf(schema: Schema | undefined, doc: OpenApiDocument): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (schema.anyOf ?? schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.map((s) => typeOf(s, doc)).join(' or ');
  if (schema.type === 'array') return `${typeOf(schema.items, doc)}[]`;
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
}

function resolve(schema: Schema | undefined, doc: OpenApiDocument): Schema | undefined {
  return schema?.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
}

export function renderApiReference(doc: OpenApiDocument): string {
  const out = [
    '# ramp server API reference',
    '',
    'Generated from the OpenAPI document ([openapi.json](openapi.json)) by `npm run openapi`; do not edit.',
    'Every route under `/api/v1` but the document itself needs `Authorization: Bearer <token>`;',
    'every error is `{ error, message, hint }` ([../server.md](../server.md)).',
    '',
  ];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      out.push(`## ${method.toUpperCase()} ${path}`, '', `${op.summary ?? ''}${op.description ? `. ${op.description}` : ''}`.trim(), '');
      const params = op.parameters ?? [];
      const body = resolve(op.requestBody?.content?.['application/json']?.schema, doc);
      if (params.length > 0 || body?.properties) {
        out.push('| field | in | type | required | meaning |', '|---|---|---|---|---|');
        for (const p of params)
          out.push(
            `| \`${p.name}\` | ${p.in} | ${cell(typeOf(p.schema, doc))} | ${p.required ? 'yes' : 'no'} | ${cell(p.description ?? p.schema?.description)} |`,
          );
        for (const [name, field] of Object.entries(body?.properties ?? {})) {
          out.push(`| \`${name}\` | body | ${cell(typeOf(field, doc))} | ${body?.required?.includes(name) ? 'yes' : 'no'} | ${cell(field.description)} |`);
        }
        out.push('');
      }
      out.push(
        `Answers: ${Object.entries(op.responses)
          .map(([code, r]) => `${code} ${cell(r.description)}`)
          .join('; ')}.`,
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
