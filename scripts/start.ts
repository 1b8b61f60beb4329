// `npm start`: the main job on this machine. Today: provision the local stack (Temporal CLI,
// test server, Prometheus) and validate the example pipelines. The promotion engine
// (`ramp dev`) replaces the second half with a real promotion on the embedded stack.
import { main } from '../cli/main.js';
import { ensureTools, ToolUnavailableError } from './lib/tools.js';

const print = (line: string): void => void process.stdout.write(`${line}\n`);

try {
  print('ramp: provisioning the local stack');
  await ensureTools({ print });
} catch (error) {
  if (error instanceof ToolUnavailableError) {
    process.stderr.write(`ramp: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

print('\nramp: validating the example pipelines (ramp validate pipelines)');
process.exitCode = await main(['validate', 'pipelines'], {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  cwd: process.cwd(),
});
