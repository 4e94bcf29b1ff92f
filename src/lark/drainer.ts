/**
 * Runs a drain function at most once at a time. A kick while it runs asks for one more pass after
 * it (whatever arrived meanwhile is picked up), so work is never missed and never run concurrently.
 */
export class Drainer {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly drain: () => Promise<void>) {}

  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.kick();
      }
    });
    return this.running;
  }

  /** Resolves once no pass is running (including the extra pass a kick asked for). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
