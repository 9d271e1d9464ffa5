/**
 * One core, the same products: our wasm kernels (128-bit SIMD, with relaxed-SIMD FMA where the engine has it) against
 * PyTorch with one thread (its CPU kernels, OpenBLAS and oneDNN pick AVX2 / AVX-512 on a CPU that has them), at the
 * bench models' shapes. It shows how much of issue 17's gap is vector width rather than overhead:
 *
 *   node --import tsx bench/simdCeiling.ts [--reps 5] [--calls 20]
 *
 * Prints one JSON line per shape: CPU ms per call for each side, GFLOP/s (direct-convolution / GEMM flops, so
 * Winograd's savings show as a higher rate) and `oursVsPytorch` (PyTorch ms / our ms: above 1 = we are faster).
 * Times are process CPU time (PyTorch: time.process_time), the median of --reps runs of --calls calls.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../electron/services/backends/selectBackend';

const PYTHON = '/usr/bin/python3';

interface Shape {
  name: string;
  /** 'mm': a [m,k] · b [k,n] (aT: a given as [k,m]); 'conv': 3×3 same, stride 1, x NHWC [n,h,w,ci] → co. */
  kind: 'mm' | 'conv';
  dims: number[];
  aT?: boolean;
}

const SHAPES: Shape[] = [
  { name: 'MLP dense1 forward 64x784 · 784x256', kind: 'mm', dims: [64, 784, 256] },
  { name: 'MLP dense1 weight gradient 784x64 · 64x256', kind: 'mm', dims: [784, 64, 256], aT: true },
  { name: 'MLP dense2 forward 64x256 · 256x256', kind: 'mm', dims: [64, 256, 256] },
  { name: 'CNN / ResNet-20 stage 1 conv 3x3 32x28x28x16 -> 16', kind: 'conv', dims: [32, 28, 28, 16, 16] },
  { name: 'ResNet-20 stage 2 conv 3x3 32x14x14x32 -> 32', kind: 'conv', dims: [32, 14, 14, 32, 32] },
  { name: 'ResNet-20 stage 3 conv 3x3 32x7x7x64 -> 64', kind: 'conv', dims: [32, 7, 7, 64, 64] },
];

const arg = (flag: string, fallback: number): number => {
  const i = process.argv.indexOf(flag);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${flag} must be a positive integer`);
  return v;
};
const reps = arg('--reps', 5);
const calls = arg('--calls', 20);

const flops = (s: Shape): number => {
  if (s.kind === 'mm') return 2 * s.dims[0]! * s.dims[1]! * s.dims[2]!;
  const [n, h, w, ci, co] = s.dims as [number, number, number, number, number];
  return 2 * n * h * w * ci * co * 9;
};

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function oursMs(s: Shape): number {
  const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 7);
  let run: () => tf.Tensor;
  let inputs: tf.Tensor[];
  if (s.kind === 'mm') {
    const [m, k, n] = s.dims as [number, number, number];
    const a = rand(s.aT ? [k, m] : [m, k]);
    const b = rand([k, n]);
    inputs = [a, b];
    run = () => tf.matMul(a, b, s.aT === true, false);
  } else {
    const [n, h, w, ci, co] = s.dims as [number, number, number, number, number];
    const x = rand([n, h, w, ci]) as tf.Tensor4D;
    const f = rand([3, 3, ci, co]) as tf.Tensor4D;
    inputs = [x, f];
    run = () => tf.conv2d(x, f, 1, 'same');
  }
  run().dispose();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = process.cpuUsage();
    for (let c = 0; c < calls; c++) run().dispose(); // the wasm kernels run synchronously
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000 / calls);
  }
  tf.dispose(inputs);
  return median(times);
}

const PY = `
import json, sys, time, torch
torch.set_num_threads(1)
reps, calls, shapes = json.loads(sys.argv[1])
out = []
for s in shapes:
    if s['kind'] == 'mm':
        m, k, n = s['dims']
        a = torch.rand(k, m).t() if s.get('aT') else torch.rand(m, k)
        b = torch.rand(k, n)
        f = lambda: torch.mm(a, b)
    else:
        n, h, w, ci, co = s['dims']
        x = torch.rand(n, ci, h, w)
        wt = torch.rand(co, ci, 3, 3)
        f = lambda: torch.nn.functional.conv2d(x, wt, padding=1)
    with torch.no_grad():
        f()
        times = []
        for r in range(reps):
            t0 = time.process_time()
            for c in range(calls):
                f()
            times.append((time.process_time() - t0) * 1000 / calls)
    times.sort()
    out.append(times[len(times) // 2])
print(json.dumps({'ms': out, 'torch': torch.__version__, 'capability': torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') and hasattr(torch.backends.cpu, 'get_cpu_capability') else None}))
`;

async function pytorchMs(): Promise<{ ms: (number | null)[]; torch?: string; error?: string }> {
  try {
    const { stdout } = await promisify(execFile)(PYTHON, ['-c', PY, JSON.stringify([reps, calls, SHAPES])], { timeout: 300_000, env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } });
    return JSON.parse(stdout.trim().split('\n').pop()!) as { ms: number[]; torch: string };
  } catch (error) {
    return { ms: SHAPES.map(() => null), error: `PyTorch not timed: ${(error as Error).message.split('\n')[0]}` };
  }
}

const info = await selectBackend('wasm', { wasmThreads: 1 });
const torch = await pytorchMs();
if (torch.error) console.log(JSON.stringify({ warning: torch.error }));
for (const [i, s] of SHAPES.entries()) {
  const ours = oursMs(s);
  const theirs = torch.ms[i] ?? null;
  const rate = (ms: number | null) => (ms === null ? null : Math.round(flops(s) / (ms / 1000) / 1e8) / 10);
  console.log(JSON.stringify({
    shape: s.name,
    oursMs: Math.round(ours * 1000) / 1000,
    oursGflops: rate(ours),
    pytorchMs: theirs === null ? null : Math.round(theirs * 1000) / 1000,
    pytorchGflops: rate(theirs),
    oursVsPytorch: theirs === null ? null : Math.round((theirs / ours) * 100) / 100,
    relaxedSimd: info.relaxedSimd ?? false,
    torch: torch.torch ?? null,
  }));
}
