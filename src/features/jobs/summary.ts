import { summaryCard, type SummaryRow } from "../../../cards/jobs";
import type { Bot, JobSend } from "../../bot/bot";
import { isFirstWorkingDayOfWeek } from "../../domain/deadlines";
import { auditHead } from "../../store/audit";
import type { Db } from "../../store/db";
import { announceChatId } from "./digest";

/** Plan progress per task of the year (the same figures as 进度). */
async function progress(db: Db, year: number, today: string): Promise<SummaryRow[]> {
  const tasks = await db.task.findMany({ where: { year }, orderBy: { code: "asc" }, include: { draws: true } });
  const rows: SummaryRow[] = [];
  for (const t of tasks) {
    const done = t.draws.find((d) => d.status === "revealed");
    const pending = t.draws.find((d) => d.status === "committed");
    const row: SummaryRow = {
      code: t.code,
      name: t.name,
      endDate: t.endDate,
      state: done ? "已抽取" : pending ? "待见证" : "未抽取",
      drawn: 0,
      submitted: 0,
      confirmed: 0,
      published: 0,
      overdue: 0,
    };
    if (done) {
      row.drawn = (await db.assignment.groupBy({ by: ["targetId"], where: { drawId: done.id } })).length;
      const results = await db.result.findMany({
        where: { drawId: done.id, current: true },
        select: { status: true, publishedAt: true, publicityDue: true },
      });
      row.submitted = results.length;
      row.confirmed = results.filter((r) => r.status === "confirmed").length;
      row.published = results.filter((r) => r.publishedAt).length;
      row.overdue = results.filter(
        (r) => r.status === "confirmed" && !r.publishedAt && r.publicityDue !== null && r.publicityDue < today,
      ).length;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * summary (interface.md §9): leaders privately on the first working day of each week; the same day the
 * audit chain's head (seq, hash) goes to the announce group, so a rewrite of history shows.
 */
export function register(bot: Bot): void {
  bot.job({
    name: "summary",
    async run({ db, today, calendar, deps, force, note }) {
      if (!force && !isFirstWorkingDayOfWeek(calendar, today)) {
        note("每周进度汇总只在每周第一个工作日发送");
        return [];
      }
      const year = Number(today.slice(0, 4));
      const content = summaryCard(
        today,
        year,
        await progress(db, year, today),
        await db.followUp.count({ where: { status: "open" } }),
      );
      const sends: JobSend[] = [];
      for (const l of await db.inspector.findMany({
        where: { roles: { contains: "领导" }, status: "在岗", openId: { not: null } },
        orderBy: { certNo: "asc" },
      })) {
        sends.push({ to: { openId: l.openId! }, label: `${l.name}（私聊）`, content });
      }
      const head = await auditHead(db);
      const chatId = await announceChatId(db, deps.config);
      if (head && chatId) {
        const text = `【审计日志链头】截至 ${today}，全程留痕日志链头序号 ${head.seq}，哈希 ${head.hash}。请留存本消息：日后任何人可用 drbot audit verify 核对，历史记录若被改写将与此不符。`;
        sends.push({
          to: { chatId },
          label: "公告群（审计日志链头）",
          content: text,
          once: { job: "audit-head", day: today },
        });
      } else if (head && !chatId) note("未绑定公告群，审计日志链头未发布（「绑定 公告」或设置 LARK_ANNOUNCE_CHAT_ID）");
      return sends;
    },
  });
}
