/**
 * Load generator for bench:webhook, in its own process so it doesn't share the server's event loop.
 * Reads pre-signed requests from a file and sends them at a fixed rate; prints latencies (ms) as JSON.
 *   node dist/bench/webhook-load.js <requests.json> <url> <perSecond>
 */
import { readFileSync } from "node:fs";
import http from "node:http";

async function main(): Promise<void> {
  const [file, url, rate] = process.argv.slice(2) as [string, string, string];
  const requests = JSON.parse(readFileSync(file, "utf8")) as { body: string; headers: Record<string, string> }[];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const errors: string[] = [];
  const interval = 1000 / Number(rate);
  const start = performance.now();
  await Promise.all(
    requests.map(
      (r, k) =>
        new Promise<void>((resolve) => {
          const due = start + k * interval;
          setTimeout(
            () => {
              const t = performance.now();
              const req = http.request(
                {
                  host: target.hostname,
                  port: target.port,
                  path: target.pathname,
                  method: "POST",
                  agent,
                  headers: { ...r.headers, "content-length": Buffer.byteLength(r.body) },
                },
                (res) => {
                  res.resume();
                  res.on("end", () => {
                    latencies.push(performance.now() - t);
                    statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
                    resolve();
                  });
                },
              );
              req.on("error", (e) => {
                errors.push(e.message);
                resolve();
              });
              req.end(r.body);
            },
            Math.max(0, due - performance.now()),
          );
        }),
    ),
  );
  process.stdout.write(
    JSON.stringify({
      latencies,
      statuses: Object.fromEntries(statuses),
      errors,
      seconds: (performance.now() - start) / 1000,
    }),
  );
  agent.destroy();
}

void main();
