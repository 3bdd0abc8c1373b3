#!/usr/bin/env node
import { runCli } from './cli/main.js';

// A closed stdout (`geglu eval … | head`) must end the process quietly, not with an EPIPE trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
}

const code = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// Lets pending stdout writes drain; a stdin nobody read (e.g. --help) must not keep the process alive.
process.stdin.destroy();
