/**
 * `geglu verify`: every property suite over the chosen backends, a table on
 * stdout, progress on stderr, and report.md / report.json / SVG plots in the
 * report directory. Exit 0 when nothing failed, 1 when a bound was exceeded
 * (each named), 2 on bad usage.
 */
import { randomInt } from 'node:crypto';
import { formatOptions, parseOrHelp, quote, type ArgSpec } from '../cli/args.js';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, type Command, type CommandIO } from '../cli/command.js';
import { prepareOutputFolder } from '../cli/paths.js';
import { listBackends } from '../backends/index.js';
import { browserBackends } from '../backends/browser.js';
import { browserMissing } from '../browser/chromium.js';
import { exceededBounds, formatTable, summarize, writeReport, type GapPoint, type VerifyReport } from '../report/index.js';
import { openSession, runSuites, type FullContext, type PropertyResult } from '../suites/index.js';
import { ToleranceError } from '../tolerances/index.js';

/** Default fast-check runs per property; each run is a batch of up to 16 inputs (see src/suites/common.ts). */
export const DEFAULT_RUNS = 10;
const VERSION = '0.1.0';

const spec: ArgSpec = {
  command: 'geglu verify',
  options: {
    backends: { type: 'string', valueName: 'a,b', description: 'comma-separated backend ids (default: every registered backend)' },
    tolerances: { type: 'string', valueName: 'FILE', description: 'tolerance table to gate on (default: the shipped tolerances.json)' },
    runs: {
      type: 'integer',
      valueName: 'N',
      description: `fast-check runs per property (default ${DEFAULT_RUNS}; each run is a batch of up to 16 inputs)`,
    },
    seed: { type: 'string', valueName: 'S', description: 'fast-check seed, a 32-bit integer (default: GEGLU_SEED, else random)' },
    browser: {
      type: 'boolean',
      description:
        'add the backends that run in headless Chromium: the kernel (f32, f64) and gpu.js webgl2, webgl, webgpu, webasm (needs /usr/bin/chromium and the optional peers playwright-core and esbuild)',
    },
    report: {
      type: 'string',
      valueName: 'DIR',
      description: 'directory for report.md, report.json and the SVG plots (default ./geglu-report)',
    },
  },
};

const usage = `Usage: geglu verify [--backends a,b] [--browser] [--tolerances FILE] [--runs N] [--seed S] [--report DIR]

Runs the six property suites (1 tanh-vs-erf bound, 2 GELU identities, 3 gating,
4 MLP shapes, 5 agreement with the oracle and between backends, 6 the gelu derivatives) against every
registered backend, prints a suite × backend table, names every exceeded bound
and writes report.md, report.json and SVG plots to the report directory.
Backends that cannot run here, and bounds the tolerance table does not hold yet,
are reported as skipped with the reason, never as passed. With --browser the
kernel and gpu.js's browser modes run in headless Chromium too (one
crossOriginIsolated page), reported like the others; the kernel there is gated
on kernel-f32's and kernel-f64's bounds, gpu.js webasm on gpu-webasm's.

Every run prints its seed; GEGLU_SEED=S (or --seed S) replays it.

Options:
${formatOptions(spec)}

Exit status: 0 all properties held, 1 a bound was exceeded, 2 bad usage.`;

export function parseSeed(raw: string, from: string): number {
  const n = Number(raw);
  // fast-check seeds are 32-bit: a larger value would wrap silently and not replay what was asked.
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < -(2 ** 31) || n > 2 ** 31 - 1) {
    throw new UsageError(`geglu verify: ${from} must be a 32-bit integer (−2147483648 to 2147483647), got ${quote(raw)}`);
  }
  return n;
}

/** Samples gelu_tanh − gelu with the oracle on [−6, 6] for the plot (20 digits: plotting needs 4). */
function gapCurve(ctx: FullContext, points = 241): GapPoint[] {
  const out: GapPoint[] = [];
  for (let i = 0; i < points; i++) {
    // Offset by half a step so x = 0 (an exact zero the oracle cannot give relative digits for) is skipped.
    const x = -6 + (12 * (i + 0.5)) / points;
    const t = ctx.oracle.evaluate('gelu-tanh', x, { digits: 20 }).value;
    const e = ctx.oracle.evaluate('gelu', x, { digits: 20 }).value;
    out.push({ x, gap: t.minus(e).toNumber() });
  }
  return out;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'run every property suite against every backend and write a report',
  usage,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const args = parseOrHelp(argv, spec, usage, io);
    if (!args) return EXIT_OK;
    const browser = args.values.browser === true;
    const registry = browser ? [...listBackends(), ...browserBackends()] : listBackends();
    const known: string[] = registry.map((b) => b.id);
    let backends: string[] | undefined;
    if (args.values.backends !== undefined) {
      backends = String(args.values.backends)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = backends.filter((b) => !known.includes(b));
      if (unknown.length > 0 || backends.length === 0) {
        const hint = browser ? '' : ' (with --browser: also the browser backends)';
        throw new UsageError(`geglu verify: unknown backend ${quote(unknown[0] ?? '')}; expected some of ${known.join(', ')}${hint}`);
      }
    }
    const runs = (args.values.runs as number | undefined) ?? DEFAULT_RUNS;
    if (runs < 1) throw new UsageError(`geglu verify: --runs must be at least 1, got ${runs}`);
    const seed =
      args.values.seed !== undefined
        ? parseSeed(String(args.values.seed), '--seed')
        : io.env.GEGLU_SEED !== undefined && io.env.GEGLU_SEED !== ''
          ? parseSeed(io.env.GEGLU_SEED, 'GEGLU_SEED')
          : randomInt(-(2 ** 31), 2 ** 31 - 1);
    const reportDir = prepareOutputFolder(String(args.values.report ?? 'geglu-report'), '--report', 'geglu verify');
    const tolerances = args.values.tolerances as string | undefined;

    io.stdout.write(`geglu verify: seed ${seed} (replay with GEGLU_SEED=${seed}), ${runs} runs per property\n`);
    const noBrowser = browser ? await browserMissing() : null;
    if (noBrowser !== null) io.stderr.write(`geglu verify: --browser: the browser backends are skipped: ${noBrowser}\n`);
    const started = Date.now();
    let session;
    try {
      session = await openSession({
        ...(backends ? { backends } : {}),
        ...(tolerances !== undefined ? { tolerances } : {}),
        ...(browser ? { registry } : {}),
      });
    } catch (err) {
      if (err instanceof ToleranceError) throw new UsageError(`geglu verify: ${err.message}`);
      throw err;
    }
    if (!session.ok) {
      io.stderr.write(`geglu verify: cannot verify anything: ${session.reason}\n`);
      return EXIT_CHECK_FAILED;
    }
    // backends grouped by reason: the browser's share one when Chromium cannot start
    const unavailable = new Map<string, Set<string>>();
    for (const t of session.targets) {
      if (t.unavailable !== undefined) unavailable.set(t.unavailable, (unavailable.get(t.unavailable) ?? new Set()).add(t.backend));
    }
    if (unavailable.size > 0) {
      io.stderr.write(
        `geglu verify: not available here, reported as skipped: ${[...unavailable].map(([why, b]) => `${[...b].join(', ')}: ${why}`).join(' | ')}\n`,
      );
    }
    const tty = Boolean((io.stderr as { isTTY?: boolean }).isTTY);
    let lastSuite = '';
    let results: PropertyResult[];
    try {
      results = await runSuites(session.ctx, session.targets, {
        numRuns: runs,
        seed,
        onProgress(e) {
          if (!e.result) {
            const suite = e.current.split(' · ')[0]!;
            if (tty) io.stderr.write(`\r\x1b[K[${String(e.done + 1).padStart(3)}/${e.total}] ${e.current.slice(0, 100)}`);
            else if (suite !== lastSuite) io.stderr.write(`[${e.done + 1}/${e.total}] suite ${suite}\n`);
            lastSuite = suite;
          } else if (e.result.status === 'fail') {
            io.stderr.write(`${tty ? '\r\x1b[K' : ''}FAIL ${e.current}: ${e.result.reason ?? ''}\n`);
          }
        },
      });
      if (tty) io.stderr.write('\r\x1b[K');
    } finally {
      await session.close();
    }
    const ctx = session.ctx;
    const gaps = safe(() => ctx.landmarks.gaps());
    const landmarks: VerifyReport['landmarks'] = {};
    if (gaps) {
      landmarks.maxGeluGap = {
        argmax: gaps.maxGeluGap.x,
        value: gaps.maxGeluGap.value.toSignificantDigits(15).toString(),
        source: gaps.source,
      };
      landmarks.maxPhiGap = { argmax: gaps.maxPhiGap.x, value: gaps.maxPhiGap.value.toSignificantDigits(15).toString() };
    }
    landmarks.minimum = {};
    landmarks.thresholds = {};
    for (const fn of ['gelu', 'gelu-tanh'] as const) {
      const m = safe(() => ctx.landmarks.minimum(fn));
      if (m) landmarks.minimum[fn] = { argmin: m.x, value: m.value.toSignificantDigits(15).toString() };
      for (const dtype of ['f32', 'f64'] as const) {
        const t = safe(() => ctx.landmarks.thresholds(fn, dtype));
        if (t)
          landmarks.thresholds[`${fn}/${dtype}`] = {
            underflowToZero: t.underflowToZero,
            normalFrom: t.normalFrom,
            identityFrom: t.identityFrom,
          };
      }
    }
    const report: VerifyReport = {
      tool: 'geglu verify',
      version: VERSION,
      seed,
      runs,
      startedAt: new Date(started).toISOString(),
      durationMs: 0,
      node: process.versions.node,
      tolerances: ctx.toleranceSource,
      targets: session.targets.map((t) => ({
        backend: t.backend,
        dtype: t.dtype,
        precision: t.precision,
        ...(t.ran ? { ran: t.ran } : {}),
        ...(t.unavailable ? { unavailable: t.unavailable } : {}),
      })),
      landmarks,
      gapCurve: safe(() => gapCurve(ctx)) ?? [],
      results,
      summary: summarize(results),
      exceeded: exceededBounds(results),
    };
    report.durationMs = Date.now() - started;
    io.stdout.write(`\n${formatTable(report)}\n\n`);
    const s = report.summary;
    io.stdout.write(
      `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped in ${(report.durationMs / 1000).toFixed(1)} s (seed ${seed})\n`,
    );
    if (report.exceeded.length > 0) {
      io.stdout.write(`\nExceeded bounds:\n${report.exceeded.map((e) => `  - ${e}`).join('\n')}\n`);
    }
    const written = await writeReport(reportDir, report);
    io.stdout.write(`\nreport: ${written.join(', ')}\n`);
    return s.failed > 0 ? EXIT_CHECK_FAILED : EXIT_OK;
  },
};

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}
