/**
 * A counter shared between the serving thread and the processing thread: requests from Feishu in
 * flight. Processing is durable and can wait; acknowledgements can't — so before each unit of work
 * the processing thread yields while requests are being answered, for at most `maxWaitMs`, so it
 * always advances. (Two cores run the server, the processing thread and everything else.)
 */
export class IntakeSignal {
  readonly counter: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.counter = new Int32Array(buffer);
  }

  get buffer(): SharedArrayBuffer {
    return this.counter.buffer as SharedArrayBuffer;
  }

  enter(): void {
    Atomics.add(this.counter, 0, 1);
  }

  leave(): void {
    Atomics.sub(this.counter, 0, 1);
  }

  async yieldToIntake(maxWaitMs = 50): Promise<void> {
    const until = Date.now() + maxWaitMs;
    while (Atomics.load(this.counter, 0) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  }
}
