import { toFeishuContent, type Bot } from "../../bot/bot";
import type { Clock } from "../../clock";
import { AppError } from "../../domain/errors";
import { enqueueMessage } from "../../lark/outbox";
import { loadCalendar } from "../../store/calendar";
import type { Db } from "../../store/db";
import { claimOnce } from "./once";

export const JOB_NAMES = ["digest", "reminders", "summary"] as const;
export type JobName = (typeof JOB_NAMES)[number];
export type JobWhich = JobName | "all";

const JOB_LABELS: Record<string, string> = {
  digest: "法制办督办日报",
  reminders: "个人待办提醒",
  summary: "每周进度汇总",
};

export interface JobReport {
  /** The bureau date the jobs ran as. */
  day: string;
  workingDay: boolean;
  /** False on a non-working day without --force: nothing was looked at or sent. */
  ran: boolean;
  jobs: { name: string; sent: { label: string; outboxKey: string }[]; alreadySent: number; notes: string[] }[];
  /** Outbox keys of the messages queued by this run (the CLI waits for exactly these). */
  outboxKeys: string[];
}

/**
 * Runs registered jobs as of the clock's bureau date. Each message is claimed under its once-only key
 * and queued in the same transaction, so it is queued exactly once whoever runs the job, how often.
 */
export async function runJobs(
  bot: Bot,
  db: Db,
  which: string,
  opts: { clock: Clock; force?: boolean },
): Promise<JobReport> {
  const names = which === "all" ? [...bot.jobs.keys()] : [which];
  for (const n of names)
    if (!bot.jobs.has(n))
      throw new AppError("UNKNOWN_JOB", `没有「${n}」这项任务，应为 ${[...JOB_NAMES, "all"].join("|")}`);
  const today = opts.clock.today();
  const now = opts.clock.now();
  const calendar = await loadCalendar(db);
  const workingDay = calendar.isWorkingDay(today);
  const report: JobReport = {
    day: today,
    workingDay,
    ran: workingDay || Boolean(opts.force),
    jobs: [],
    outboxKeys: [],
  };
  if (!report.ran) return report;
  for (const name of names) {
    const notes: string[] = [];
    const sends = await bot.jobs
      .get(name)!
      .run({ db, now, today, deps: bot.deps, calendar, force: Boolean(opts.force), note: (t) => notes.push(t) });
    const entry = { name, sent: [] as { label: string; outboxKey: string }[], alreadySent: 0, notes };
    for (const s of sends) {
      const recipient = "chatId" in s.to ? s.to.chatId : s.to.openId;
      const once = s.once ?? { job: name, day: today };
      const outboxKey = `job:${once.job}:${recipient}:${once.day}`;
      const { msgType, content } = toFeishuContent(s.content);
      const fresh = await db.$transaction(async (tx) => {
        if (!(await claimOnce(tx, { job: once.job, recipient, day: once.day }, outboxKey, now))) return false;
        await enqueueMessage(tx, { key: outboxKey, to: s.to, msgType, content }, now);
        return true;
      });
      if (fresh) {
        entry.sent.push({ label: s.label, outboxKey });
        report.outboxKeys.push(outboxKey);
      } else entry.alreadySent++;
    }
    report.jobs.push(entry);
  }
  return report;
}

/** What `drbot jobs run` prints. */
export function formatReport(r: JobReport): string[] {
  if (!r.ran) return [`${r.day} 非工作日`];
  const lines = [`${r.day}${r.workingDay ? "" : "（非工作日，--force）"}`];
  for (const j of r.jobs) {
    const label = JOB_LABELS[j.name] ?? j.name;
    for (const n of j.notes) lines.push(`${label}：${n}`);
    if (j.sent.length === 0 && j.alreadySent === 0 && j.notes.length === 0) lines.push(`${label}：无待办`);
    for (const s of j.sent) lines.push(`${label}：已发送 → ${s.label}`);
    if (j.alreadySent > 0) lines.push(`${label}：${j.alreadySent} 条今日已发送过，未重复发送`);
  }
  return lines;
}
