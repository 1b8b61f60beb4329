/**
 * Reads and verifies the audit trail (branch ramp/audit of a GitOps repository) on a worker,
 * which holds the repository credentials, for `ramp audit` and `ramp audit verify`. Short
 * workflows: one activity each. They mark themselves `RampKind = "helper"`, so that views of
 * promotions can leave them out (docs/temporal.md).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { RampActivities } from '../activities/contract.js';
import type { AuditReadRequest, AuditReadResult, AuditVerification } from '../activities/audit.js';
import type { RepositorySpec } from '../src/schema/pipeline.js';
import { quick } from './activity-options.js';
import { RampKind, publishAttributes } from './search-attributes.js';

// A first clone of a large repository, and reading every version of the trail to verify it, take a while.
const reader = proxyActivities<RampActivities>({ ...quick, startToCloseTimeout: '5 minutes', heartbeatTimeout: '20 seconds' });

export async function auditReadWorkflow(request: AuditReadRequest): Promise<AuditReadResult> {
  publishAttributes([{ key: RampKind, value: 'helper' }]);
  return reader.readAudit(request);
}

export async function auditVerifyWorkflow(repository: RepositorySpec): Promise<AuditVerification> {
  publishAttributes([{ key: RampKind, value: 'helper' }]);
  return reader.verifyAudit(repository);
}
