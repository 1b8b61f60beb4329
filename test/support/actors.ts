/** People for tests: verified actors as an OpenID Connect token would make them (src/identity/actor.ts). */
import { ActorMethod, type Actor } from '../../src/identity/actor.js';

/** A verified person: subject `sub-<name>`, their email, the groups their token carries. */
export function person(name: string, groups: string[] = [], email: string | null = `${name}@example.com`): Actor {
  return { subject: `sub-${name}`, name, email, groups, issuer: 'https://idp.example.com', method: ActorMethod.Oidc };
}
