/**
 * `node -r dist/bench/peak-preload.js …`: as the process exits, writes its peak RSS (MB) and CPU time to the file
 * named by DRBOT_PEAK_FILE. Loaded into both sides of bench:draw (the draw and the bare read), so the
 * whole process is measured with nothing changed in it. It loads only node:fs.
 */
import { writeFileSync } from "node:fs";
import { selfPeakMb } from "./peak";

const file = process.env["DRBOT_PEAK_FILE"];
// CPU time (every thread) is reported too: on a busy machine it varies far less than wall time.
if (file) {
  process.on("exit", () => {
    const cpu = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ peakMb: selfPeakMb(), cpuMs: (cpu.user + cpu.system) / 1000 }));
  });
}
