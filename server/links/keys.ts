/** The public keys approval links are verified with (RAMP_SERVER_LINK_KEYS_FILE: `ramp server keys` writes link-keys.json). */
import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet } from 'jose';
import { UsageError } from '../../src/errors.js';

export async function readLinkKeys(file: string): Promise<JSONWebKeySet> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read the approval links' public keys ${file} (RAMP_SERVER_LINK_KEYS_FILE): ${(error as { code?: string }).code ?? String(error)}. \`ramp server keys --out DIR\` writes DIR/link-keys.json`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`the approval links' public keys ${file} (RAMP_SERVER_LINK_KEYS_FILE) are not JSON; \`ramp server keys --out DIR\` writes them`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  const valid =
    Array.isArray(keys) &&
    keys.length > 0 &&
    keys.every(
      (k: { kty?: unknown; crv?: unknown; x?: unknown; d?: unknown }) =>
        k?.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.x === 'string' && k.d === undefined,
    );
  if (!valid)
    throw new UsageError(
      `${file} (RAMP_SERVER_LINK_KEYS_FILE) is not a JWKS of public Ed25519 keys (no private part); \`ramp server keys --out DIR\` writes DIR/link-keys.json`,
    );
  return parsed as JSONWebKeySet;
}
