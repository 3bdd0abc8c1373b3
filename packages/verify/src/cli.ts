#!/usr/bin/env node
import { EXIT_INTERNAL, EXIT_USAGE, writeFailure } from './cli/command.js';
import { runCli } from './cli/main.js';

// A closed stdout (`geglu eval … | head`) must end the process quietly, not with an EPIPE trace;
// a full disk under a redirected stdout is named and exits 2; any other write error exits 3.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    const full = writeFailure(err);
    if (stream === process.stdout) process.stderr.write(`geglu: cannot write stdout: ${full ?? err.message}\n`);
    process.exit(full === undefined ? EXIT_INTERNAL : EXIT_USAGE);
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
