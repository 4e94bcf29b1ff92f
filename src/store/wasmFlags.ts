import { setFlagsFromString } from "node:v8";

let applied = false;

/**
 * Prisma 7 plans every query in a WebAssembly query compiler, one instance per client, so one per
 * thread. By default V8 compiles that large module twice, baseline (Liftoff) and then optimized
 * (TurboFan) in the background: the optimized copy cost ~75 MB of resident memory per instance and
 * bought no speed here (bench:webhook, bench:draw; measured in the perf notes of issue 8). Baseline
 * code only. V8 reads this flag when it compiles a module, which happens at a client's first query,
 * so setting it before the first client is opened is in time; flags are process-wide (every thread).
 */
export function baselineWasmOnly(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString("--liftoff-only");
}
