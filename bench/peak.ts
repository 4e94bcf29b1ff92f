/**
 * Peak memory of a whole process, the way an operator's monitor sees it: VmHWM (peak resident set)
 * from /proc/<pid>/status, falling back to getrusage's maxRSS where /proc is missing.
 */
import { readFileSync } from "node:fs";

/** VmHWM / VmRSS of a process in MB, or null when /proc can't tell (not Linux, or gone). */
export function procMemoryMb(pid: number = process.pid): { hwm: number; rss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s*(\\d+)\\s*kB`, "m").exec(status)?.[1]);
    const hwm = kb("VmHWM");
    const rss = kb("VmRSS");
    return Number.isFinite(hwm) && Number.isFinite(rss) ? { hwm: hwm / 1024, rss: rss / 1024 } : null;
  } catch {
    return null;
  }
}

/** This process's peak RSS in MB. */
export function selfPeakMb(): number {
  return procMemoryMb()?.hwm ?? process.resourceUsage().maxRSS / 1024;
}
