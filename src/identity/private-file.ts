/**
 * Files that hold secrets (credentials, service-token hashes): written atomically — a temp file
 * beside the target, mode 0600 from its creation, then renamed over it — so that a reader sees the
 * old or the new content, never half, and nobody else can read either.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Writes `content` to `file` atomically with mode 0600, creating its directory. With `dirMode`,
 * the file's own directory gets exactly that mode (e.g. 0700 for ~/.config/ramp).
 */
export async function writePrivateFile(file: string, content: string, { dirMode }: { dirMode?: number } = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: dirMode ?? PRIVATE_DIR_MODE });
  if (dirMode !== undefined) await chmod(dir, dirMode);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
