/**
 * Paths into a YAML document, as pipeline authors write them to name the field ramp edits:
 * `spec.replicas`, `spec.template.spec.containers[0].image`, or by a list item's field,
 * `spec.template.spec.containers[name=web].image`.
 */

export type YamlPathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'match'; field: string; value: string };

export type YamlPathParse = { ok: true; segments: YamlPathSegment[] } | { ok: false; error: string };

const SEGMENT_RE = /^([A-Za-z0-9_$\-/.]+?)?((?:\[[^\]]*\])*)$/;
const KEY_RE = /^[A-Za-z0-9_$\-/]+$/;
const BRACKET_RE = /\[([^\]]*)\]/g;

export function parseYamlPath(path: string): YamlPathParse {
  const fail = (why: string): YamlPathParse => ({
    ok: false,
    error: `"${path}" is not a YAML path: ${why}. Write keys separated by dots, list items as [0] or [name=web] (e.g. spec.template.spec.containers[name=web].image)`,
  });
  if (path.trim() === '') return fail('it is empty');
  const segments: YamlPathSegment[] = [];
  for (const part of path.split('.')) {
    const match = SEGMENT_RE.exec(part);
    if (!match || part === '') return fail(`"${part}" is not a key`);
    const [, key, brackets = ''] = match;
    if (key !== undefined) {
      if (!KEY_RE.test(key)) return fail(`"${key}" is not a key`);
      segments.push({ kind: 'key', key });
    } else if (segments.length === 0 && brackets === '') {
      return fail('it is empty');
    }
    for (const bracket of brackets.matchAll(BRACKET_RE)) {
      const inner = (bracket[1] ?? '').trim();
      if (/^\d+$/.test(inner)) {
        segments.push({ kind: 'index', index: Number(inner) });
        continue;
      }
      const eq = inner.indexOf('=');
      if (eq <= 0 || eq === inner.length - 1) return fail(`[${inner}] is neither an index nor field=value`);
      segments.push({ kind: 'match', field: inner.slice(0, eq).trim(), value: inner.slice(eq + 1).trim() });
    }
  }
  return { ok: true, segments };
}
