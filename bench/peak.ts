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

/** CPU time (user + system, every thread) a process has used so far, in ms, or null without /proc. */
export function procCpuMs(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
