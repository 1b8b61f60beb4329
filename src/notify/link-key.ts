/** The worker's approval-link key (RAMP_LINK_SIGNING_KEY_FILE): a private Ed25519 JWK with a kid, as `ramp server keys` writes. */
import { readFile } from 'node:fs/promises';
import type { DecisionSigningKey } from '../identity/decision-signature.js';

export async function readLinkKey(file: string): Promise<DecisionSigningKey> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the approval-link key ${file} (RAMP_LINK_SIGNING_KEY_FILE): ${(error as { code?: string }).code ?? String(error)}. Write one with \`ramp server keys --out DIR\` (signing.jwk.json)`,
    );
  }
  let jwk: { kty?: unknown; crv?: unknown; d?: unknown; kid?: unknown };
  try {
    jwk = JSON.parse(text) as typeof jwk;
  } catch {
    throw new Error(`the approval-link key ${file} (RAMP_LINK_SIGNING_KEY_FILE) is not JSON; write one with \`ramp server keys --out DIR\``);
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.kid !== 'string') {
    throw new Error(
      `the approval-link key ${file} (RAMP_LINK_SIGNING_KEY_FILE) is not a private Ed25519 JWK with a kid; write one with \`ramp server keys --out DIR\``,
    );
  }
  return { kid: jwk.kid, jwk: jwk as DecisionSigningKey['jwk'] };
}
