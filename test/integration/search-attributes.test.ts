// A worker registers the search attributes ramp's workflows upsert on a namespace that lacks
// them (worker/search-attributes.ts), against the real dev server: a fresh namespace has none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes, registrationHint } from '../../worker/search-attributes.js';
import { SEARCH_ATTRIBUTE_KEYS, RampWaitingFor } from '../../workflows/search-attributes.js';
import { getTestEnv } from '../harness/temporal.js';
import { waitFor } from '../support/wait.js';

describe('search attributes on a worker start', () => {
  let env: TestWorkflowEnvironment;
  let connection: Connection;
  before(async () => {
    env = await getTestEnv();
    connection = await Connection.connect({ address: env.address });
  });
  after(async () => {
    await connection?.close();
    await env?.teardown();
  });

  test('the dev server has them all (scripts/lib/dev-server.ts, the harness)', async () => {
    assert.deepEqual(await ensureSearchAttributes(connection, 'default'), []);
  });

  test('a namespace without them gets them registered, once', async () => {
    const namespace = `ramp-sa-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    // A new namespace becomes usable when the server's namespace cache refreshes.
    const added = await waitFor(
      () => ensureSearchAttributes(connection, namespace),
      () => true,
      `namespace ${namespace} to accept search attributes`,
      60_000,
    );
    assert.deepEqual(
      added,
      SEARCH_ATTRIBUTE_KEYS.map((k) => k.name),
    );
    const listed = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    assert.equal(listed[RampWaitingFor.name], 7, 'RampWaitingFor is a KeywordList');
    assert.deepEqual(await ensureSearchAttributes(connection, namespace), []);
  });

  test('where they cannot be listed, the error says how to register them', async () => {
    const error = await ensureSearchAttributes(connection, `no-such-namespace-${randomUUID().slice(0, 8)}`).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof Error);
    assert.match(
      error.message,
      /could not list the search attributes of namespace no-such-namespace-.*temporal operator search-attribute create --namespace no-such-namespace-\S+ --name RampKind --type Keyword/s,
    );
    assert.match(
      registrationHint('prod', [RampWaitingFor]),
      /^temporal operator search-attribute create --namespace prod --name RampWaitingFor --type KeywordList$/,
    );
  });
});
