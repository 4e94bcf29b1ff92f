/** A token bucket per key: `rate` sends per `perMs`, as a sliding window of send times. */
export class Pacer {
  private readonly windows = new Map<string, number[]>();
  constructor(private readonly limits: { key: (r: { receiveId: string }) => string; rate: number; perMs: number }[]) {}

  /** Milliseconds to wait before this recipient may be sent to (0 = now). */
  delay(r: { receiveId: string }, now: number): number {
    let wait = 0;
    for (const l of this.limits) {
      const w = this.window(l.key(r), now, l.perMs);
      if (w.length >= l.rate) wait = Math.max(wait, w[w.length - l.rate]! + l.perMs - now);
    }
    return wait;
  }

  record(r: { receiveId: string }, now: number): void {
    for (const l of this.limits) this.window(l.key(r), now, l.perMs).push(now);
  }

  private window(key: string, now: number, perMs: number): number[] {
    let w = this.windows.get(key);
    if (!w) this.windows.set(key, (w = []));
    while (w.length > 0 && w[0]! <= now - perMs) w.shift();
    return w;
  }
}

/** Feishu's limits: 5/s per chat or user, 50/s and 1000/min per app (a few ms of slack for clock granularity). */
export const feishuPacer = () =>
  new Pacer([
    { key: (r) => `to:${r.receiveId}`, rate: 5, perMs: 1010 },
    { key: () => "app:s", rate: 50, perMs: 1010 },
    { key: () => "app:min", rate: 1000, perMs: 60_100 },
  ]);
