/**
 * src/settings: the RAMP_* schema parsed once with errors that name the variable, the Temporal
 * connection read by @temporalio/envconfig (TLS, mTLS, API keys, profiles), and the help and
 * docs generated from or checked against the schema.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../src/errors.js';
import { parseSettings } from '../../src/settings/parse.js';
import { loadTemporalSettings, TEMPORAL_VARIABLES } from '../../src/settings/temporal.js';
import { variablesUsage } from '../../src/settings/usage.js';
import { cliVariables, patternVariables, settingsSchema, workerVariables } from '../../src/settings/variables.js';
import { readWorkerConfig } from '../../worker/config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function usageError(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('RAMP_* variables', () => {
  test('unset, empty and blank variables take their defaults', () => {
    for (const env of [{}, { RAMP_LOG_LEVEL: '', RAMP_TASK_QUEUE: '  ', RAMP_SHUTDOWN_GRACE: '\t' }]) {
      const settings = parseSettings(workerVariables, env);
      assert.equal(settings.RAMP_TASK_QUEUE, 'ramp');
      assert.equal(settings.RAMP_LOG_LEVEL, 'INFO');
      assert.equal(settings.RAMP_SHUTDOWN_GRACE, '30s');
      assert.deepEqual(settings.RAMP_NOTIFY_WEBHOOKS, []);
      assert.equal(settings.RAMP_CACHE_DIR, path.join(os.homedir(), '.cache', 'ramp', 'repos'));
      assert.equal(settings.RAMP_METRICS_ADDRESS, undefined);
    }
    const cli = parseSettings(cliVariables, {});
    assert.deepEqual([cli.RAMP_UPDATE_TIMEOUT_MS, cli.RAMP_CONNECT_TIMEOUT_MS, cli.RAMP_POLL_MS], [10_000, 5_000, undefined]);
  });

  test('values are parsed into their types', () => {
    const settings = parseSettings(workerVariables, {
      RAMP_LOG_LEVEL: 'debug',
      RAMP_METRICS_ADDRESS: '0.0.0.0:9464',
      RAMP_SHUTDOWN_GRACE: '2m',
      RAMP_NOTIFY_WEBHOOKS: 'https://hooks.example.com/a, http://127.0.0.1:9/b,',
      RAMP_CACHE_DIR: ' /var/cache/ramp ',
    });
    assert.equal(settings.RAMP_LOG_LEVEL, 'DEBUG');
    assert.equal(settings.RAMP_METRICS_ADDRESS, '0.0.0.0:9464');
    assert.equal(settings.RAMP_SHUTDOWN_GRACE, '2m');
    assert.deepEqual(settings.RAMP_NOTIFY_WEBHOOKS, ['https://hooks.example.com/a', 'http://127.0.0.1:9/b']);
    assert.equal(settings.RAMP_CACHE_DIR, '/var/cache/ramp');
    assert.equal(parseSettings(cliVariables, { RAMP_POLL_MS: '250' }).RAMP_POLL_MS, 250);
  });

  const invalid: [string, string, RegExp][] = [
    ['RAMP_LOG_LEVEL', 'verbose', /RAMP_LOG_LEVEL="verbose": expected one of TRACE, DEBUG, INFO, WARN, ERROR/],
    ['RAMP_METRICS_ADDRESS', '9464', /RAMP_METRICS_ADDRESS="9464": expected host:port/],
    ['RAMP_METRICS_ADDRESS', 'localhost:99999', /RAMP_METRICS_ADDRESS="localhost:99999": expected host:port/],
    ['RAMP_SHUTDOWN_GRACE', 'soon', /RAMP_SHUTDOWN_GRACE="soon": expected a duration such as 30s/],
    ['RAMP_UPDATE_TIMEOUT_MS', 'abc', /RAMP_UPDATE_TIMEOUT_MS="abc": expected a positive whole number of milliseconds/],
    ['RAMP_CONNECT_TIMEOUT_MS', '-5', /RAMP_CONNECT_TIMEOUT_MS="-5": expected a positive whole number/],
    ['RAMP_POLL_MS', '1.5', /RAMP_POLL_MS="1.5": expected a positive whole number/],
  ];
  for (const [name, value, message] of invalid) {
    test(`${name}=${value} is refused with the variable, its value and what is expected`, () => {
      const shape = name in workerVariables ? workerVariables : cliVariables;
      assert.throws(() => parseSettings(shape, { [name]: value }), usageError(message));
    });
  }

  test('every invalid variable is reported at once', () => {
    assert.throws(
      () => parseSettings(workerVariables, { RAMP_LOG_LEVEL: 'loud', RAMP_SHUTDOWN_GRACE: 'never' }),
      usageError(/invalid settings in the environment:\n {2}RAMP_LOG_LEVEL="loud".*\n {2}RAMP_SHUTDOWN_GRACE="never"/),
    );
  });

  test('a secret value is never shown, a long value is cut', () => {
    const token = 'hook-token-0123456789-SECRET';
    assert.throws(
      () => parseSettings(workerVariables, { RAMP_NOTIFY_WEBHOOKS: `https://hooks.example.com/${token}, ftp://x/${token}` }),
      (error: Error) => {
        assert.match(error.message, /RAMP_NOTIFY_WEBHOOKS=<redacted, \d+ characters>: expected comma-separated http:\/\/ or https:\/\/ URLs/);
        assert.ok(!error.message.includes(token), error.message);
        return true;
      },
    );
    assert.throws(
      () => parseSettings(workerVariables, { RAMP_LOG_LEVEL: 'x'.repeat(100_000) }),
      (error: Error) => {
        assert.match(error.message, /RAMP_LOG_LEVEL="x{120}"… \(100000 characters\)/);
        assert.ok(error.message.length < 1_000);
        return true;
      },
    );
  });

  test('the worker gets only RAMP_SECRET_* variables for its secret resolver', () => {
    const config = readWorkerConfig({
      RAMP_SECRET_GIT: 't',
      RAMP_SECRET_GIT_USERNAME: 'u',
      RAMP_SECRETS_DIR: '/run/secrets',
      PATH: '/bin',
      TEMPORAL_API_KEY: 'k',
    });
    assert.deepEqual(config.secrets, { env: { RAMP_SECRET_GIT: 't', RAMP_SECRET_GIT_USERNAME: 'u' }, secretsDir: '/run/secrets' });
  });
});

describe('Temporal connection settings (@temporalio/envconfig)', () => {
  let dir: string;
  let ca: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-settings-'));
    ca = path.join(dir, 'ca.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
    await writeFile(path.join(dir, 'client.pem'), 'client cert');
    await writeFile(path.join(dir, 'client.key'), 'client key');
    await writeFile(
      path.join(dir, 'temporal.toml'),
      `[profile.default]\naddress = "default.example.com:7233"\n\n[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\nnamespace = "ns.acct"\napi_key = "profile-key"\n\n[profile.mtls]\naddress = "temporal.internal:7233"\n[profile.mtls.tls]\nserver_ca_cert_path = "${ca}"\nclient_cert_path = "${path.join(dir, 'client.pem')}"\nclient_key_path = "${path.join(dir, 'client.key')}"\nserver_name = "temporal"\n`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('without any setting: plaintext to 127.0.0.1:7233, namespace default', () => {
    const settings = loadTemporalSettings({});
    assert.deepEqual(settings, { address: '127.0.0.1:7233', namespace: 'default', connection: {}, tlsMode: 'plaintext', tlsReason: 'no TLS setting' });
  });

  test('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE; the flags override them', () => {
    const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'prod' };
    assert.deepEqual([loadTemporalSettings(env).address, loadTemporalSettings(env).namespace], ['temporal:7233', 'prod']);
    const flags = loadTemporalSettings(env, { address: '10.0.0.1:7233', namespace: 'staging' });
    assert.deepEqual([flags.address, flags.namespace], ['10.0.0.1:7233', 'staging']);
  });

  test('TEMPORAL_TLS=true: TLS with the system CAs; an API key turns TLS on; TEMPORAL_TLS=false wins', () => {
    const tls = loadTemporalSettings({ TEMPORAL_TLS: 'true' });
    assert.equal(tls.tlsMode, 'tls');
    assert.equal(tls.tlsReason, 'TEMPORAL_TLS=true');
    const cloud = loadTemporalSettings({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-1' });
    assert.deepEqual([cloud.tlsMode, cloud.connection.apiKey, cloud.connection.tls, cloud.tlsReason], ['tls', 'key-1', true, 'TEMPORAL_API_KEY is set']);
    assert.equal(loadTemporalSettings({ TEMPORAL_API_KEY: 'key-1', TEMPORAL_TLS: 'false' }).tlsMode, 'plaintext');
  });

  test('mTLS from TEMPORAL_TLS_* variables: the files are read at load time', () => {
    const settings = loadTemporalSettings({
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    assert.equal(settings.tlsMode, 'mtls');
    const tls = settings.connection.tls;
    assert.ok(typeof tls === 'object' && tls !== null);
    assert.equal(tls.serverNameOverride, 'temporal.internal');
    assert.equal(Buffer.from(tls.clientCertPair!.crt).toString(), 'client cert');
    assert.match(Buffer.from(tls.serverRootCACertificate!).toString(), /not checked here/);
  });

  test("profiles of the TOML config file; TEMPORAL_* variables override a profile's fields", () => {
    const file = path.join(dir, 'temporal.toml');
    assert.equal(loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file }).address, 'default.example.com:7233');
    const cloud = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    assert.deepEqual([cloud.address, cloud.namespace, cloud.connection.apiKey, cloud.tlsMode], ['ns.acct.tmprl.cloud:7233', 'ns.acct', 'profile-key', 'tls']);
    const mtls = loadTemporalSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls', TEMPORAL_NAMESPACE: 'override' });
    assert.deepEqual([mtls.address, mtls.namespace, mtls.tlsMode], ['temporal.internal:7233', 'override', 'mtls']);
    assert.match(mtls.tlsReason, /profile mtls/);
    // The default file is found through HOME (XDG_CONFIG_HOME), as Temporal's CLI finds it.
    assert.equal(loadTemporalSettings({ XDG_CONFIG_HOME: path.join(dir, 'xdg') }).address, '127.0.0.1:7233');
  });

  const refused: [string, Record<string, string>, RegExp][] = [
    [
      'a profile that does not exist',
      { TEMPORAL_PROFILE: 'nope', TEMPORAL_CONFIG_FILE: 'FILE' },
      /cannot load the Temporal connection settings \(profile nope of .*temporal\.toml.*\): Profile 'nope' not found/,
    ],
    [
      'a config file that does not exist',
      { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' },
      /TEMPORAL_CONFIG_FILE=\/nonexistent\/temporal\.toml: no such file/,
    ],
    [
      'a CA file that does not exist',
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' },
      /cannot load the Temporal connection settings .*ENOENT.*\/nonexistent\/ca\.pem/,
    ],
    ['TEMPORAL_TLS=yes (envconfig would read it as false)', { TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS="yes": expected true, 1, false or 0/],
    ['an address without a port', { TEMPORAL_ADDRESS: 'temporal.example.com' }, /TEMPORAL_ADDRESS "temporal\.example\.com" is not host:port/],
    [
      'host verification turned off (the SDK ignores it)',
      { TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' },
      /TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported/,
    ],
  ];
  for (const [what, env, message] of refused) {
    test(`refused with a usage error: ${what}`, () => {
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'FILE' ? path.join(dir, 'temporal.toml') : v]));
      assert.throws(() => loadTemporalSettings(resolved), usageError(message));
    });
  }

  test('--address is checked too, and an API key never appears in an error', () => {
    assert.throws(() => loadTemporalSettings({}, { address: 'http://temporal:7233' }), usageError(/--address "http:\/\/temporal:7233" is not host:port/));
    assert.throws(
      () => loadTemporalSettings({ TEMPORAL_API_KEY: 'sekrit-key', TEMPORAL_PROFILE: 'missing', TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml') }),
      (error: Error) => !error.message.includes('sekrit-key'),
    );
  });
});

describe('the list of variables (ramp worker --help, docs/settings.md)', () => {
  test("the worker's help lists every variable the worker reads, with its default", () => {
    const usage = variablesUsage('worker');
    for (const name of Object.keys(workerVariables)) assert.match(usage, new RegExp(`^ {2}${name} `, 'm'), name);
    for (const { name } of [...TEMPORAL_VARIABLES, ...patternVariables]) assert.ok(usage.includes(`  ${name} `), name);
    const flat = usage.replace(/\s+/g, ' ');
    assert.match(flat, /RAMP_SHUTDOWN_GRACE how long [^(]*\(default 30s\)/);
    assert.match(flat, /RAMP_CACHE_DIR where [^(]*\(default ~\/\.cache\/ramp\/repos\)/);
    assert.match(flat, /RAMP_METRICS_ADDRESS host:port [^(]*\(default: no metrics endpoint\)/);
    assert.ok(
      usage.split('\n').every((line) => line.length <= 100),
      usage,
    );
  });

  test('docs/settings.md describes every variable of the schema and of envconfig', async () => {
    const docs = await readFile(path.join(ROOT, 'docs', 'settings.md'), 'utf8');
    const names = [...Object.keys(settingsSchema.shape), ...TEMPORAL_VARIABLES.map((v) => v.name), ...patternVariables.map((v) => v.name)];
    assert.ok(names.length > 20);
    for (const name of names) assert.ok(docs.includes(`\`${name}\``), `docs/settings.md does not mention \`${name}\``);
  });

  test("every RAMP_* variable named in the worker's and the CLI's code is in the schema", async () => {
    const known = new Set(Object.keys(settingsSchema.shape));
    const unknown: string[] = [];
    let files = 0;
    for (const top of ['worker', 'cli', 'server', 'src', 'activities', 'workflows']) {
      for (const file of await sourceFiles(path.join(ROOT, top))) {
        files++;
        const text = await readFile(file, 'utf8');
        for (const [name] of text.matchAll(/\bRAMP_[A-Z0-9_]*[A-Z0-9]/g)) {
          if (!known.has(name) && !name.startsWith('RAMP_SECRET')) unknown.push(`${path.relative(ROOT, file)}: ${name}`);
        }
      }
    }
    assert.ok(files > 50, `only ${files} source files found`);
    assert.deepEqual(unknown, []);
  });

  test('providers do not read process.env: the worker passes them their settings', async () => {
    const readers: string[] = [];
    const files = await sourceFiles(path.join(ROOT, 'src', 'providers'));
    assert.ok(files.length > 20);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      // workspace.ts hands git its process environment (PATH, HOME) as the environment of the child.
      if (text.includes('process.env') && !file.endsWith(path.join('git', 'workspace.ts'))) readers.push(path.relative(ROOT, file));
    }
    assert.deepEqual(readers, []);
  });
});

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}
