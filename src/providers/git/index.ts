// The Git provider's public surface, for activities/ and worker/.
export { CachedGitOpsRepositories, DEFAULT_IDENTITY, defaultCacheDir, type GitOpsRepositories, type GitOpsRepositoriesOptions } from './repositories.js';
export { ClonedGitOpsRepository, type ClonedGitOpsRepositoryOptions, type GitOpsRepository, type PushAttempt, type RampLogQuery } from './gitops-repository.js';
export { GitConflictError, HistoryRewrittenError, RepositoryUnavailableError } from './errors.js';
export { resolveCredentials, type CredentialSource, type GitCredentials } from './credentials.js';
export { secretEnvName } from '../secrets.js';
export type { GitIdentity } from './workspace.js';
export type { BranchAppend, BranchFile, BranchFileQuery } from './side-branch.js';
export type { LogEntry } from './git-log.js';
