/**
 * The dev stack's stand-in for a cluster: the demo app serves what the GitOps repository says.
 * Every tag of the pipeline's image found in the repository's branch (any stage, stable or
 * canary) gets traffic from the demo app, so any version promoted on the dev stack has metrics
 * for its canary analysis. How a release behaves is one rule, `releaseBehaviour`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleGit } from 'simple-git';
import type { DemoApp, VersionBehaviour } from './demo-app.js';

/** Tags that fail canary analysis on the dev stack: the demo's bad release 1.2.0, and any tag ending in `-bad`. */
export function isBadRelease(version: string): boolean {
  return version === '1.2.0' || version.endsWith('-bad');
}

/** A bad release answers 30 % of its requests with 500, a good one 0.1 %; both in 20 ms. */
export function releaseBehaviour(version: string): VersionBehaviour {
  return { errorRate: isBadRelease(version) ? 0.3 : 0.001, latencySeconds: 0.02 };
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The tags of `image` in manifests' `image:` fields (`image: web:1.4.2` → 1.4.2), in order, once each. */
export function imageTags(manifests: string, image: string): string[] {
  const pattern = new RegExp(`image:\\s*["']?${escape(image)}:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})`, 'g');
  return [...new Set([...manifests.matchAll(pattern)].map((m) => m[1]!))];
}

export interface GitOpsTraffic {
  /** Resolves after the first look at the repository. */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Polls the bare repository `bareDir` (its ref files: cheap) and, when `branch` moved, gives
 * traffic to every new tag of `image` in it. Versions keep their traffic once given.
 */
export function followGitOps(options: { bareDir: string; branch?: string; image: string; app: DemoApp; intervalMs?: number }): GitOpsTraffic {
  const { bareDir, image, app } = options;
  const branch = options.branch ?? 'main';
  const git = simpleGit(bareDir);
  const given = new Set<string>();
  let stopped = false;
  let lastRefs = '';

  const refs = async () => {
    const read = (file: string) => readFile(path.join(bareDir, file), 'utf8').catch(() => '');
    return `${await read(`refs/heads/${branch}`)}|${await read('packed-refs')}`;
  };
  const look = async () => {
    const now = await refs();
    if (now === lastRefs) return;
    // Throws (and is tried again next time) while a push is half done, or when no file has an image.
    const lines = await git.raw(['grep', '-h', '-I', '-e', 'image:', branch, '--']);
    lastRefs = now;
    for (const version of imageTags(lines, image)) {
      if (given.has(version)) continue;
      given.add(version);
      app.set(version, releaseBehaviour(version));
    }
  };
  const ready = look().catch(() => {});
  void (async () => {
    await ready;
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250).unref());
      if (!stopped) await look().catch(() => {});
    }
  })();
  return {
    ready,
    stop() {
      stopped = true;
    },
  };
}
