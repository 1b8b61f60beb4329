/** Who holds an environment: the promotion whose stage workflow is running there. */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';

export interface EnvironmentDeps {
  client: Client;
}

export function createEnvironmentActivities({ client }: EnvironmentDeps) {
  return {
    async environmentHolder(stageWorkflowId: string): Promise<string | null> {
      try {
        const description = await client.workflow.getHandle(stageWorkflowId).describe();
        if (description.status.name !== 'RUNNING') return null;
        const holder = description.memo?.promotionId;
        return typeof holder === 'string' ? holder : null;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return null;
        throw error;
      }
    },
  };
}
