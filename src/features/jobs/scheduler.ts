import { schedule } from "node-cron";
import type { Clock } from "../../clock";
import { timeInZone } from "../../domain/deadlines";
import type { Logger } from "../../logger";
import type { Db } from "../../store/db";

/**
 * node-cron at JOBS_AT in TZ_BUREAU, every day: the runner itself skips non-working days (the calendar
 * with imported 节假日安排 knows 补班 Saturdays). A run missed while the bot was down happens once at
 * start-up when JOBS_AT has passed; the once-only keys make it a no-op if today's run already happened.
 */
export class JobScheduler {
  private readonly task: ReturnType<typeof schedule>;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly o: { jobsAt: string; timeZone: string; clock: Clock; run: () => Promise<unknown>; logger: Logger },
  ) {
    const [hh, mm] = o.jobsAt.split(":").map(Number) as [number, number];
    this.task = schedule(`${mm} ${hh} * * *`, () => this.fire("scheduled"), {
      timezone: o.timeZone,
      name: "drbot-daily-jobs",
      noOverlap: true,
    });
  }

  /** At start-up: today's run, if its time has come (else the schedule will do it). */
  catchUp(): Promise<void> {
    if (timeInZone(this.o.clock.now(), this.o.timeZone) < this.o.jobsAt) return Promise.resolve();
    return this.fire("start-up catch-up");
  }

  private fire(why: string): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        await this.o.run();
        this.o.logger.info({ why, day: this.o.clock.today() }, "daily jobs ran");
      } catch (e) {
        this.o.logger.error({ err: e, why }, "daily jobs failed");
      }
    });
    return this.running;
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    await this.task.stop();
    await this.running;
  }
}

/**
 * The first bureau date this database ran the scheduler (recorded on first start). A run can only have
 * been missed "while the bot was down" on a later day: a brand-new installation (or a test's fresh
 * database) does not fire today's jobs the moment it starts.
 */
export async function schedulerSince(db: Db, today: string): Promise<string> {
  const row = await db.setting.upsert({
    where: { key: "jobs.since" },
    create: { key: "jobs.since", value: today },
    update: {},
  });
  return row.value;
}
