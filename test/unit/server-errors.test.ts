/** How ramp server turns what went wrong into a status and `{ error, message, hint }`: table tests. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApiError, apiErrorOf, statusFromMessage } from '../../server/errors.js';
import { UsageError, UserError } from '../../src/errors.js';
import { AuthenticationError } from '../../src/identity/authenticator.js';

/** A UserError as RampTemporal.explain makes it: its sentence, Temporal's error as cause. */
const explained = (message: string, cause: Error) => Object.assign(new UserError(message), { cause });
const refusal = (type: string, message: string) =>
  explained(message, new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable(message, type)));

describe('apiErrorOf', () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['a bad credential', new AuthenticationError('the token has expired'), 401, 'unauthenticated', /the token has expired/],
    ['a usage error', new UsageError('--limit must be a number'), 400, 'invalid_request', /--limit/],
    [
      'a workflow refusal of type Forbidden',
      refusal('Forbidden', 'mallory is not in group:sre, which approves production'),
      403,
      'forbidden',
      /mallory is not in group:sre/,
    ],
    ['a workflow refusal of type Refused', refusal('Refused', 'production is not waiting for approval'), 409, 'refused', /not waiting for approval/],
    ['a validator rejection of any other type', refusal('Error', 'nothing failed: there is nothing to retry'), 409, 'refused', /nothing to retry/],
    [
      'a promotion that does not exist',
      explained('no promotion web@9.9.9; see ramp list', new WorkflowNotFoundError('not found', 'web@9.9.9', undefined)),
      404,
      'not_found',
      /no promotion/,
    ],
    [
      'a promotion that already finished',
      explained('promotion web@1.0 has already finished (Aborted: ...); see ramp status web@1.0', new WorkflowNotFoundError('not found', 'web@1.0', undefined)),
      409,
      'refused',
      /already finished/,
    ],
    [
      'a promotion already running',
      explained('promotion web@1.0 is already running', new WorkflowExecutionAlreadyStartedError('started', 'web@1.0', 'promotionWorkflow')),
      409,
      'refused',
      /already running/,
    ],
    ['no worker', new UserError('no worker polls task queue ramp; start one with `ramp worker`'), 503, 'unavailable', /no worker polls/],
    [
      'Temporal unreachable',
      new UserError('cannot connect to Temporal at 10.0.0.7:7233 (with TLS, namespace prod): ...'),
      503,
      'unavailable',
      /^ramp server cannot reach Temporal right now$/,
    ],
    ['a stage that is elsewhere', new UserError('promotion web@1.0 is at stage staging, not production'), 409, 'refused', /is at stage staging/],
    ['an ApiError', new ApiError(413, 'too big'), 413, 'payload_too_large', /too big/],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 500, 'internal', /a bug/],
    ['not even an Error', 'a string', 500, 'internal', /a bug/],
  ];
  for (const [what, error, status, code, message] of cases) {
    test(`${what} → ${status} ${code}`, () => {
      const answer = apiErrorOf(error);
      assert.equal(answer.status, status);
      const body = answer.body();
      assert.equal(body.error, code);
      assert.match(body.message, message);
      assert.ok(body.hint.length > 10);
    });
  }

  test('401 asks for a bearer token; a 500 never shows the bug to the caller', () => {
    assert.deepEqual(apiErrorOf(new AuthenticationError('no bearer token')).headers, { 'WWW-Authenticate': 'Bearer' });
    assert.doesNotMatch(apiErrorOf(new Error('secret internals at /srv/x.ts:12')).message, /internals/);
  });
});

describe('statusFromMessage', () => {
  const table: [string, number][] = [
    ['no worker answered on task queue ramp within 10 s; start one with `ramp worker`', 503],
    ['namespace prod does not exist on Temporal at x:7233; set TEMPORAL_NAMESPACE (or --namespace)', 503],
    ['stage production of web@1.0 is no longer running; see ramp status web@1.0', 409],
    ['nobody watches web/production for drift: a watch starts after ...', 404],
    ['pipeline web has no stage qa; its stages: preview, production', 404],
    ['no pipeline named web: looked for ...', 404],
    ['the approval is already approved', 409],
  ];
  for (const [message, status] of table) test(`${status}: ${message.slice(0, 60)}`, () => assert.equal(statusFromMessage(message), status));
});
