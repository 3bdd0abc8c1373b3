/**
 * Measures each available backend's worst error, in float32 steps, for gelu,
 * gelu-tanh, erf and erfc over the whole float32 range, per input region.
 *
 *   node packages/gpu/dist/scripts/measure-error.js [--samples N] [--backends webgpu,webasm,cpu] [--json]
 *
 * Inputs: every binade of float32, both signs, subnormal binades included,
 * N points per binade (default 64) spread evenly over its mantissas with a
 * fixed offset (stratified, deterministic), 256·N per binade for
 * 2^-8 <= |x| < 32 (where the forms switch and the tails start), plus ±0, ±min subnormal,
 * ±max subnormal, ±min normal, ±FLT_MAX, ±1 and the region boundaries.
 * Reference: this package's float64 reference rounded with Math.fround
 * (src/reference.ts) ranks all inputs; where @geglu/oracle is built, its
 * correctlyRounded(fn, x, 'f32') cross-checks that reference on a spread
 * subset and re-scores every region's worst input (`--oracle all` uses the
 * oracle for every input: slow, ~1-2 ms per value).
 *
 * Regions (of the input x), the same as @geglu/verify's tolerance table so its
 * gpu rows can be copied from this output: tail = the finite inputs where the
 * result is a small remainder of a saturating function (gelu, gelu-tanh:
 * x < -4; erfc: x > 4; erf: |x| > 4), checked first; subnormal = |x| < 2^-126,
 * signed zeros included; normal = every other finite input.
 */
import { GegluGpu, availableGpuBackends, type ResolvedGpuBackend } from '@geglu/gpu';
import { erfF64, erfcF64, geluF64, geluTanhF64 } from '@geglu/gpu/reference';
import { stepDistance } from '@geglu/float';

type Fn = 'gelu' | 'gelu-tanh' | 'erf' | 'erfc';
type Region = 'tail' | 'subnormal' | 'normal';
const FNS: Fn[] = ['gelu', 'gelu-tanh', 'erf', 'erfc'];
const REGIONS: Region[] = ['tail', 'subnormal', 'normal'];

export function region(fn: Fn, x: number): Region {
  if ((fn === 'gelu' || fn === 'gelu-tanh') && x < -4) return 'tail';
  if (fn === 'erfc' && x > 4) return 'tail';
  if (fn === 'erf' && Math.abs(x) > 4) return 'tail';
  if (Math.abs(x) < 2 ** -126) return 'subnormal';
  return 'normal';
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function fromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0]!;
}

/** Stratified float32 samples over every binade (subnormals included), both signs, plus special values. */
export function samples(perBinade: number): Float32Array {
  const out: number[] = [];
  for (let e = 0; e < 255; e++) {
    for (let i = 0; i < perBinade; i++) {
      // mantissa spread evenly with an odd offset so sample points are not all round numbers
      const m = Math.floor(((i + 0.5) / perBinade) * 0x800000 + 0x2b3c5) & 0x7fffff;
      const bits = (e << 23) | m;
      if (bits === 0) continue;
      out.push(fromBits(bits), fromBits(bits | 0x80000000));
    }
  }
  // where the approximations change form and the tails begin, sample densely:
  // every binade with 2^-8 <= |x| < 32 gets `dense` points more
  const dense = perBinade * 256;
  for (let e = 127 - 8; e < 127 + 5; e++) {
    for (let i = 0; i < dense; i++) {
      const m = Math.floor(((i + 0.5) / dense) * 0x800000 + 0x2b3c5 / 256) & 0x7fffff;
      const bits = (e << 23) | m;
      out.push(fromBits(bits), fromBits(bits | 0x80000000));
    }
  }
  const special = [0, -0, 1, -1, 2 ** -149, 2 ** -126 - 2 ** -149, 2 ** -126, 3.4028234663852886e38, 0.5, 3, 4, 5.4, 10, 10.5, 13.2, 14, 15, 20];
  for (const s of special) out.push(s, -s);
  return Float32Array.from(out);
}

interface Reference {
  name: string;
  value(fn: Fn, x: number): number;
}

const F64: Reference = {
  name: 'float64 reference (src/reference.ts) rounded to f32',
  value: (fn, x) => Math.fround({ gelu: geluF64, 'gelu-tanh': geluTanhF64, erf: erfF64, erfc: erfcF64 }[fn](x)),
};

/** @geglu/oracle's correctlyRounded(fn, x, 'f32'), or null when it is not built. */
async function loadOracle(): Promise<Reference | null> {
  try {
    const oracle = (await import('@geglu/oracle')) as { correctlyRounded?: (fn: string, x: number, f: string) => number };
    const cr = oracle.correctlyRounded;
    if (typeof cr === 'function') {
      return { name: '@geglu/oracle correctlyRounded (f32)', value: (fn, x) => cr(fn, x, 'f32') };
    }
  } catch {
    // not built (yet)
  }
  return null;
}

export interface Worst {
  steps: number;
  x: number;
  got: number;
  want: number;
  count: number;
  /** Worst steps over the inputs of this region whose reference result is not subnormal. */
  stepsNormalResult: number;
}

const MIN_NORMAL = 2 ** -126;
const isSubnormal = (v: number): boolean => v !== 0 && Math.abs(v) < MIN_NORMAL;

export async function measure(
  gpu: GegluGpu,
  xs: Float32Array,
  ref: Reference,
): Promise<Record<Fn, Record<Region, Worst>>> {
  const res = {} as Record<Fn, Record<Region, Worst>>;
  for (const fn of FNS) {
    const got =
      fn === 'erf' ? await gpu.erf(xs) : fn === 'erfc' ? await gpu.erfc(xs) : await gpu.gelu(xs, { approximate: fn === 'gelu' ? 'none' : 'tanh' });
    const r = {} as Record<Region, Worst>;
    for (const reg of REGIONS) r[reg] = { steps: 0, x: NaN, got: NaN, want: NaN, count: 0, stepsNormalResult: 0 };
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const want = ref.value(fn, x);
      const d = stepDistance(got[i]!, want, 'f32');
      const w = r[region(fn, x)];
      w.count++;
      if (!isSubnormal(want) && d > w.stepsNormalResult) w.stepsNormalResult = d;
      if (d > w.steps || (Number.isNaN(w.x) && d === 0)) Object.assign(w, { steps: d, x, got: got[i]!, want });
    }
    res[fn] = r;
  }
  return res;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const withValue = new Set(['--samples', '--backends', '--oracle-check', '--oracle']);
  const usage = '(usage: [--samples N] [--backends webgpu,webasm,cpu] [--oracle-check N] [--oracle all] [--json])';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--json') continue;
    if (!withValue.has(args[i]!)) throw new UsageError(`measure-error: unknown argument ${JSON.stringify(args[i])} ${usage}`);
    if (args[++i] === undefined) throw new UsageError(`measure-error: ${args[i - 1]} needs a value ${usage}`);
  }
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const positiveInteger = (name: string, fallback: number): number => {
    const raw = opt(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`measure-error: ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const perBinade = positiveInteger('--samples', 64);
  const only = opt('--backends')?.split(',');
  const check = positiveInteger('--oracle-check', 1500);
  const xs = samples(perBinade);
  const oracle = await loadOracle();
  // The oracle costs ~1-2 ms per value here, too slow for ~460k inputs × 4
  // functions; `--oracle all` uses it everywhere. By default the float64
  // reference ranks every input, and the oracle (1) cross-checks the float64
  // reference on `--oracle-check` inputs per function spread over the set and
  // (2) re-scores each region's worst input, so every reported maximum is an
  // oracle number.
  const ref = opt('--oracle') === 'all' && oracle ? oracle : F64;
  console.log(`reference: ${ref.name}${oracle && ref !== oracle ? `; worst cases re-scored with ${oracle.name}` : ''}`);
  console.log(
    `inputs: ${xs.length} float32 values (${perBinade} per binade, every binade incl. subnormals, both signs; ${perBinade * 256} per binade for 2^-8 <= |x| < 32; + specials)`,
  );
  if (oracle && ref !== oracle) {
    const stride = Math.max(1, Math.floor(xs.length / check));
    let disagree = 0;
    let n = 0;
    for (const fn of FNS) {
      for (let i = 0; i < xs.length; i += stride) {
        n++;
        const d = stepDistance(F64.value(fn, xs[i]!), oracle.value(fn, xs[i]!), 'f32');
        if (d > 0) {
          disagree++;
          console.log(`  float64 reference differs from the oracle: ${fn}(${xs[i]}) by ${d} steps`);
        }
      }
    }
    console.log(`float64 reference vs oracle: ${disagree} of ${n} checked values differ`);
  }
  const all: Record<string, unknown> = {};
  for (const a of await availableGpuBackends()) {
    if (only && !only.includes(a.backend)) continue;
    if (!a.available) {
      console.log(`\n${a.backend}: skipped (${a.reason})`);
      continue;
    }
    const gpu = await GegluGpu.create({ backend: a.backend as ResolvedGpuBackend });
    try {
      console.log(`\nbackend ${gpu.backend} — ${gpu.device}`);
      const r = await measure(gpu, xs, ref);
      if (oracle && ref !== oracle) {
        for (const fn of FNS) {
          for (const reg of REGIONS) {
            const w = r[fn][reg];
            if (Number.isNaN(w.x)) continue;
            w.want = oracle.value(fn, w.x);
            w.steps = stepDistance(w.got, w.want, 'f32');
          }
        }
      }
      all[gpu.backend] = { device: gpu.device, ...r };
      // the last column leaves out inputs whose correctly rounded result is
      // subnormal: a GPU that flushes subnormals to zero (WGSL allows it)
      // shows up in the region columns, and this one shows the rest (scored
      // with the float64 reference, which the oracle cross-check above covers)
      console.log('| function | tail | subnormal | normal | all, excl. subnormal results | worst input (steps: got vs want) |');
      console.log('|---|---:|---:|---:|---:|---|');
      for (const fn of FNS) {
        const row = r[fn];
        const worst = REGIONS.map((g) => row[g]).reduce((p, q) => (q.steps > p.steps ? q : p));
        console.log(
          `| ${fn} | ${row.tail.steps} | ${row.subnormal.steps} | ${row.normal.steps} | ${Math.max(...REGIONS.map((g) => row[g].stepsNormalResult))} | x=${worst.x} (${worst.steps}: ${worst.got} vs ${worst.want}) |`,
        );
      }
    } finally {
      await gpu.dispose();
    }
  }
  if (args.includes('--json')) console.log(JSON.stringify(all, null, 1));
}

/** A bad command line: one line on stderr, exit 2. */
class UsageError extends Error {}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  }
}
