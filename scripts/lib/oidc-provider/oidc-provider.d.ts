// The parts of oidc-provider 9 (untyped JavaScript) that the test provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ProviderAccount {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface ProviderToken {
    accountId?: string;
    clientId?: string;
    kind: string;
  }

  export interface ProviderResourceServer {
    scope: string;
    audience: string;
    accessTokenTTL?: number;
    accessTokenFormat: 'jwt' | 'opaque';
    jwt?: { sign?: { alg: string; kid?: string } };
  }

  export interface ProviderClient {
    clientId: string;
    grantTypeAllowed(grant: string): boolean;
  }

  export type Configuration = Record<string, unknown>;

  export const errors: { InvalidTarget: new (description?: string) => Error };

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
