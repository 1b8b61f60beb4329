// A real OpenID Provider for tests (scripts/lib/oidc-provider/), killed with the test process even
// when it is interrupted.
import { startOidcProvider as start, type OidcProviderOptions, type TestOidcProvider } from '../../scripts/lib/oidc-provider/start.js';
import { cleanupOnSignal, killOnExit } from './reaper.js';

export * from '../../scripts/lib/oidc-provider/start.js';

/** Starts the provider (bounded wait for its discovery document). Stop it with `stop()` in `after()`. */
export function startOidcProvider(options: OidcProviderOptions = {}): Promise<TestOidcProvider> {
  return start(options, (child, stop) => {
    killOnExit(child);
    return cleanupOnSignal(stop);
  });
}
