import { esc, notice, pagedText } from "../../../cards/kit";
import type { Bot } from "../../bot/bot";
import type { DrawRecord } from "../../domain/draw/types";
import type { Prisma, Tx } from "../../store/db";
import { statsCard } from "../../../cards/stats";
import { computeStats } from "../stats/stats";
import { canonicalTaskCode } from "../tasks/code";

const yearArg = (arg: string | undefined, today: string) =>
  arg && /^\d{4}$/.test(arg) ? Number(arg) : Number(today.slice(0, 4));

interface TaskProgress {
  code: string;
  name: string;
  state: string;
  drawn: number;
  accepted: number;
  submitted: number;
  confirmed: number;
  published: number;
  overdue: number;
}

/** Per-task figures: drawn, accepted, submitted, confirmed, published, overdue publicity. */
async function progressOf(tx: Tx, where: Prisma.TaskWhereInput, today: string): Promise<TaskProgress[]> {
  const tasks = await tx.task.findMany({
    where,
    orderBy: { code: "asc" },
    include: { draws: { orderBy: { attempt: "desc" } } },
  });
  const out: TaskProgress[] = [];
  for (const t of tasks) {
    const done = t.draws.find((d) => d.status === "revealed");
    const pending = t.draws.find((d) => d.status === "committed");
    const p: TaskProgress = {
      code: t.code,
      name: t.name,
      state: done ? "已抽取" : pending ? "待见证" : "未抽取",
      drawn: 0,
      accepted: 0,
      submitted: 0,
      confirmed: 0,
      published: 0,
      overdue: 0,
    };
    if (done) {
      p.drawn = (JSON.parse(done.record) as DrawRecord).selection.targets.length;
      p.accepted = (
        await tx.assignment.groupBy({ by: ["targetId"], where: { drawId: done.id, status: "accepted" } })
      ).length;
      const results = await tx.result.findMany({ where: { drawId: done.id, current: true } });
      p.submitted = results.length;
      p.confirmed = results.filter((r) => r.confirmedAt).length;
      p.published = results.filter((r) => r.publishedAt).length;
      p.overdue = results.filter((r) => !r.publishedAt && r.publicityDue !== null && r.publicityDue < today).length;
    }
    out.push(p);
  }
  return out;
}

export function register(bot: Bot): void {
  bot.command({
    name: "help",
    roles: [],
    usage: "帮助",
    summary: "可用命令",
    async run({ sender, reply, message }) {
      const lines = bot.available(sender).map((c) => `**${c.usage}**　${c.summary}`);
      const how = message.chatType === "group" ? "在群里请先 @我 再写命令。" : "私聊时直接发送命令即可。";
      const who = sender.registered
        ? `您的角色：${[...sender.roles].join("、") || "（无）"}`
        : "您尚未登记在执法检查人员名录库中，只能查看公开信息。";
      await reply(notice("双随机抽查助手 · 命令", `${lines.join("\n")}\n\n${how}${who}`));
    },
  });

  bot.command({
    name: "plan",
    roles: [],
    usage: "计划 [年度]",
    summary: "年度抽查计划及各任务状态",
    async run({ tx, today, args, reply }) {
      const year = yearArg(args[0], today);
      const rows = await progressOf(tx, { year }, today);
      if (rows.length === 0) return reply(`${year} 年度尚未导入抽查计划。`);
      const lines = rows.map(
        (p) =>
          `**${esc(p.code)}** ${esc(p.name)}　${p.state}${p.drawn ? `，抽中 ${p.drawn} 户，已检查 ${p.confirmed} 户，已公示 ${p.published} 户` : ""}`,
      );
      for (const page of pagedText(`${year} 年度抽查计划`, "blue", lines)) await reply(page);
    },
  });

  bot.command({
    name: "progress",
    roles: [],
    usage: "进度 [任务编号]",
    summary: "抽中、接受、提交、确认、公示、逾期情况",
    async run({ tx, today, args, reply }) {
      const rows = await progressOf(
        tx,
        args[0] ? { code: await canonicalTaskCode(tx, args[0]) } : { year: Number(today.slice(0, 4)) },
        today,
      );
      if (rows.length === 0) return reply(args[0] ? `找不到任务编号「${args[0]}」。` : "本年度尚无抽查任务。");
      const lines = rows.map(
        (p) =>
          `**${esc(p.code)}** ${esc(p.name)}（${p.state}）\n抽中 ${p.drawn}｜已接受 ${p.accepted}｜已提交 ${p.submitted}｜已确认 ${p.confirmed}｜已公示 ${p.published}｜公示逾期 ${p.overdue}`,
      );
      for (const page of pagedText("抽查进度", "blue", lines)) await reply(page);
    },
  });

  bot.command({
    name: "stats",
    roles: [],
    usage: "统计 [年度]",
    summary: "各事项及各风险等级覆盖率（≥3%）、公示率、问题发现率、后续处置、执法人员任务量",
    async run({ tx, today, args, reply }) {
      await reply(statsCard(await computeStats(tx, yearArg(args[0], today), today)));
    },
  });
}
