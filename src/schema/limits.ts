/**
 * What a pipeline file may hold. Every input is checked against these before it is converted
 * and validated, so that any file — hostile, generated or broken — gets located findings in
 * bounded time and memory. docs/pipeline.md ("Limits") documents them; a real pipeline stays
 * far below each (pipelines/web.yaml: 4 KiB, 11 levels deep, ~290 values).
 */
export const Limits = {
  /** Bytes of one file (UTF-8). */
  fileBytes: 1024 * 1024,
  /** Nesting of mappings and lists, counted from the document (aliases expanded). */
  depth: 64,
  /** Keys in one mapping. */
  keysPerMapping: 1_000,
  /**
   * Values in the whole document once aliases are expanded (each key, scalar, mapping and list
   * counts one). Reading is stopped early, at twice as many tokens that start a value.
   */
  nodes: 20_000,
  /** Alias uses (`*name`) in one file. */
  aliases: 1_000,
  /** Characters of one key or scalar value. */
  stringLength: 16 * 1024,
  /** Findings reported per file; the rest are counted in a last finding. */
  findings: 200,
  /** Characters of quoted input inside a message. */
  quotedInput: 80,
  /** Characters of one message. */
  messageLength: 600,
} as const;
