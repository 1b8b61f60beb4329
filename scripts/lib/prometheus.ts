// A real Prometheus for tests and `ramp dev`: the project's `prometheus` binary on a free port,
// scraping the targets given to it every second, with its config and TSDB in a temp dir.
//
// Expect the first scrape ~5 s after start: Prometheus throttles service-discovery updates to
// the scrape manager to one per 5 s. Call `waitForUp()` before measuring anything.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import axios, { type AxiosInstance } from 'axios';
import { stringify } from 'yaml';
import { freePort, sleep, terminate } from './proc.js';
import { ensurePrometheus } from './tools.js';

/** Called with every Prometheus process started, and returns what stops tracking it. */
export type ProcessTracker = (child: ChildProcess, stop: () => Promise<void>) => () => void;
const untracked: ProcessTracker = () => () => {};

export interface PrometheusOptions {
  /** host:port of each /metrics endpoint to scrape. */
  targets: string[];
  /** Scrape (and rule evaluation) interval, default `1s`. */
  scrapeInterval?: string;
  jobName?: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
  /** Seconds since the epoch, as Prometheus reports it. */
  timestamp: number;
}

interface QueryResponse {
  status: 'success' | 'error';
  error?: string;
  data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

export class TestPrometheus {
  readonly url: string;
  private readonly http: AxiosInstance;
  private stopped = false;

  constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly dir: string,
    private options: Required<PrometheusOptions>,
    /** performance.now() when the process was spawned. */
    readonly spawnedAt: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.http = axios.create({ baseURL: this.url, timeout: 5_000 });
  }

  get targets(): readonly string[] {
    return this.options.targets;
  }

  get logFile(): string {
    return path.join(this.dir, 'prometheus.log');
  }

  /** An instant query; throws on a PromQL error. Only vector results are supported. */
  async query(promql: string): Promise<Sample[]> {
    const res = await this.http.get<QueryResponse>('/api/v1/query', { params: { query: promql } });
    if (res.data.status !== 'success') throw new Error(`query ${promql} failed: ${res.data.error}`);
    if (res.data.data.resultType !== 'vector') throw new Error(`query ${promql}: expected a vector, got ${res.data.data.resultType}`);
    return res.data.data.result.map((r) => ({ metric: r.metric, timestamp: r.value[0], value: Number(r.value[1]) }));
  }

  /** Polls `promql` until `accept(samples)` holds; returns the accepted samples. */
  async waitFor(promql: string, accept: (samples: Sample[]) => boolean, { timeoutMs = 30_000, intervalMs = 200 } = {}): Promise<Sample[]> {
    const deadline = Date.now() + timeoutMs;
    let last: Sample[] = [];
    for (;;) {
      this.assertRunning();
      last = await this.query(promql);
      if (accept(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(`waited ${timeoutMs} ms for ${promql}; last result: ${JSON.stringify(last)}`);
      }
      await sleep(intervalMs);
    }
  }

  /**
   * Waits until every target has been scraped successfully (`up == 1`). Returns the time since the
   * process was spawned, in ms.
   */
  async waitForUp(targets: readonly string[] = this.options.targets, timeoutMs = 30_000): Promise<number> {
    const job = this.options.jobName;
    await this.waitFor(`up{job="${job}"} == 1`, (samples) => targets.every((t) => samples.some((s) => s.metric.instance === t)), { timeoutMs });
    return performance.now() - this.spawnedAt;
  }

  /** Replaces the scrape targets and reloads the config (the new targets appear after ~5 s). */
  async setTargets(targets: string[]): Promise<void> {
    this.options = { ...this.options, targets };
    await writeConfig(this.dir, this.options);
    await this.http.post('/-/reload');
  }

  /** Stops Prometheus and removes its temp dir. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await terminate(this.child);
    await rm(this.dir, { recursive: true, force: true });
  }

  private assertRunning(): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      throw new Error(`prometheus exited (${this.child.exitCode ?? this.child.signalCode}); see ${this.logFile}`);
    }
  }
}

async function writeConfig(dir: string, options: Required<PrometheusOptions>): Promise<string> {
  const file = path.join(dir, 'prometheus.yml');
  const config = {
    global: {
      scrape_interval: options.scrapeInterval,
      scrape_timeout: options.scrapeInterval,
      evaluation_interval: options.scrapeInterval,
    },
    scrape_configs: [{ job_name: options.jobName, static_configs: [{ targets: options.targets }] }],
  };
  await writeFile(file, `# generated by test/harness/prometheus.ts\n${stringify(config)}`);
  return file;
}

async function logTail(file: string): Promise<string> {
  return (await readFile(file, 'utf8').catch(() => '')).trim().split('\n').slice(-20).join('\n');
}

async function startOnce(bin: string, options: Required<PrometheusOptions>, track: ProcessTracker): Promise<TestPrometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ramp-prometheus-'));
  const port = await freePort();
  const configFile = await writeConfig(dir, options);
  const logFd = openSync(path.join(dir, 'prometheus.log'), 'a');
  const spawnedAt = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(
      bin,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  const prometheus = new TestPrometheus(child, port, dir, options, spawnedAt);
  const unregister = track(child, () => prometheus.stop());
  child.once('exit', unregister);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const tail = await logTail(prometheus.logFile);
      await prometheus.stop();
      throw new Error(`prometheus did not start (${spawnError?.message ?? child.exitCode}):\n${tail}`);
    }
    const ready = await axios.get(`${prometheus.url}/-/ready`, { timeout: 1_000, validateStatus: () => true }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return prometheus;
    if (Date.now() > deadline) {
      await prometheus.stop();
      throw new Error('prometheus was not ready after 30 s');
    }
    await sleep(50);
  }
}

/** Starts Prometheus (bounded wait for /-/ready). Stop it with `stop()` in `after()`. */
export async function startPrometheus(options: PrometheusOptions, track: ProcessTracker = untracked): Promise<TestPrometheus> {
  const bin = (await ensurePrometheus()).path;
  const full: Required<PrometheusOptions> = { scrapeInterval: '1s', jobName: 'ramp-test', ...options };
  try {
    return await startOnce(bin, full, track);
  } catch (err) {
    // The free port may have been taken between the probe and the bind; one retry.
    if (!/address already in use/i.test(String(err))) throw err;
    return startOnce(bin, full, track);
  }
}
