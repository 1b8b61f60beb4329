/**
 * The structure checks that come before a YAML document is converted: nesting depth, keys per
 * mapping, duplicate keys, string length, and aliases (each must name an earlier anchor that
 * does not contain it, and their expansion must stay within the node limit). One walk over the
 * parsed nodes, in document order, never deeper than the depth limit: so converting the
 * document afterwards cannot throw, recurse without end, or blow up in size.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type LineCounter, type Node } from 'yaml';
import { Severity, type IssuePath, type LocatedIssue } from './issue.js';
import { Limits } from './limits.js';
import { quote } from './messages.js';

const count = (n: number) => n.toLocaleString('en');

/** Every structure problem of `doc`, located; empty when it may be converted and validated. */
export function inspectStructure(doc: Document, lineCounter: LineCounter, file: string): LocatedIssue[] {
  const inspector = new Inspector(lineCounter, file);
  inspector.walk(doc.contents, [], 0);
  return inspector.issues;
}

/** How a key is named once converted: as yaml's toJS names it (null is ""). */
export function keyName(key: unknown): string | undefined {
  if (key === null || key === undefined) return '';
  if (!isScalar(key)) return undefined;
  const value: unknown = key.value;
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

class Inspector {
  readonly issues: LocatedIssue[] = [];
  /** The latest node with each anchor, in document order (as yaml resolves aliases). */
  private readonly anchors = new Map<string, Node>();
  /** Expanded size and height of each anchored node, once walked. */
  private readonly anchored = new Map<Node, { nodes: number; height: number }>();
  private readonly ancestors = new Set<Node>();
  private nodes = 0;
  private aliases = 0;
  private stopped = false;

  constructor(
    private readonly lineCounter: LineCounter,
    private readonly file: string,
  ) {}

  /** Walks `node` at `depth` collections deep; returns its height in collections. */
  walk(node: unknown, path: IssuePath, depth: number): number {
    if (this.stopped || node === null || node === undefined) return 0;
    if (isAlias(node)) return this.alias(node, path, depth);
    if (!isMap(node) && !isSeq(node) && !isScalar(node)) return 0;
    const before = this.nodes;
    if (this.count(1, node, path)) return 0;
    if (node.anchor) this.anchors.set(node.anchor, node);
    let height = 0;
    if (isScalar(node)) {
      if (typeof node.value === 'string' && node.value.length > Limits.stringLength) {
        this.report(
          'too-long',
          node,
          path,
          `this value is ${count(node.value.length)} characters long; a value holds at most ${count(Limits.stringLength)}. Shorten it`,
        );
      }
    } else if (depth + 1 > Limits.depth) {
      this.stop('too-deep', node, path, `this value is nested more than ${Limits.depth} levels deep, the most a pipeline may nest. Flatten it`);
      return 0;
    } else {
      this.ancestors.add(node);
      height = 1 + (isMap(node) ? this.mapping(node.items, path, depth + 1, node) : this.list(node.items, path, depth + 1));
      this.ancestors.delete(node);
    }
    if (node.anchor) this.anchored.set(node, { nodes: this.nodes - before, height });
    return height;
  }

  private mapping(items: readonly unknown[], path: IssuePath, depth: number, map: Node): number {
    if (items.length > Limits.keysPerMapping) {
      this.report(
        'too-many-keys',
        map,
        path,
        `this mapping has ${count(items.length)} keys; a mapping holds at most ${count(Limits.keysPerMapping)}. Remove the keys that are not pipeline fields`,
      );
    }
    const seen = new Map<string, Node>();
    let height = 0;
    for (const pair of items) {
      if (this.stopped || !isPair(pair)) continue;
      const key = pair.key as Node | null;
      const name = keyName(key);
      if (name === undefined) {
        this.report('complex-key', key!, path, 'a key here is a list, a mapping or an alias; pipeline keys are plain names. Write the key out');
        continue;
      }
      this.walk(key, path, depth);
      const first = seen.get(name);
      if (first && key) {
        const line = this.lineCounter.linePos(first.range?.[0] ?? 0).line;
        this.report('duplicate-key', key, [...path, name], `the key ${quote(name)} appears twice in this mapping (first on line ${line}). Keep one`);
      } else if (key) {
        seen.set(name, key);
      }
      height = Math.max(height, this.walk(pair.value, [...path, name], depth));
    }
    return height;
  }

  private list(items: readonly unknown[], path: IssuePath, depth: number): number {
    let height = 0;
    items.forEach((item, index) => {
      // YAML 1.1's !!omap and !!pairs hold pairs in a list: each is a one-key mapping.
      const walked = isPair(item) ? 1 + this.mapping([item], [...path, index], depth + 1, item.key as Node) : this.walk(item, [...path, index], depth);
      height = Math.max(height, walked);
    });
    return height;
  }

  private alias(node: Alias, path: IssuePath, depth: number): number {
    this.aliases += 1;
    if (this.aliases > Limits.aliases) {
      this.stop(
        'too-many-aliases',
        node,
        path,
        `the file uses more than ${count(Limits.aliases)} aliases (*name), the most a pipeline may use. Write the values out`,
      );
      return 0;
    }
    const target = this.anchors.get(node.source);
    const name = node.source.length > Limits.quotedInput ? quote(node.source) : node.source;
    if (!target) {
      this.report(
        'undefined-alias',
        node,
        path,
        `the alias *${name} names no anchor before it. Define the anchor (&name) on an earlier value, or write the value here`,
      );
      return 0;
    }
    if (this.ancestors.has(target)) {
      this.report('alias-cycle', node, path, `the alias *${name} is inside the value its anchor names, so it never ends. Refer to another value`);
      return 0;
    }
    const size = this.anchored.get(target) ?? { nodes: 1, height: 0 };
    if (depth + size.height > Limits.depth) {
      this.stop(
        'too-deep',
        node,
        path,
        `with this alias expanded, the value is nested more than ${Limits.depth} levels deep, the most a pipeline may nest. Flatten it`,
      );
      return 0;
    }
    this.count(size.nodes, node, path);
    return size.height;
  }

  /** Counts `n` expanded nodes; true when that passes the limit (and the walk stops). */
  private count(n: number, node: Node, path: IssuePath): boolean {
    this.nodes += n;
    if (this.nodes <= Limits.nodes) return false;
    this.stop(
      'too-large',
      node,
      path,
      `the document holds more than ${count(Limits.nodes)} values (with aliases expanded), the most a pipeline may hold. Remove what is not a pipeline field, or use fewer aliases`,
    );
    return true;
  }

  private stop(code: string, node: Node, path: IssuePath, message: string): void {
    this.report(code, node, path, message);
    this.stopped = true;
  }

  private report(code: string, node: Node, path: IssuePath, message: string): void {
    const { line, col } = this.lineCounter.linePos(node.range?.[0] ?? 0);
    this.issues.push({ severity: Severity.Error, code, path, message, file: this.file, line, column: col });
  }
}
