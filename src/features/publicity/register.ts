import { ACTION } from "../../../cards/actions";
import { publicityCard } from "../../../cards/publicity";
import type { Bot, BotDeps, CardContext } from "../../bot/bot";
import { parsePickedDate } from "../../domain/publicity";
import type { Role } from "../imports/kinds";
import { enqueueFile } from "../../lark/outbox";
import { loadCalendar } from "../../store/calendar";
import type { Db, Tx } from "../../store/db";
import { NO_BUREAU_NAME, publicityRows, publicityWorkbook } from "./export";
import { dueResults, markPublished, type DueScope, type MarkOutcome } from "./service";

/** Who may see the due list, mark results and export them (interface.md §4). */
const PUBLICITY_ROLES: Role[] = ["法制员", "领导", "管理员"];

/** The export's bytes, built when the outbox sends the file (runtime `files`, source "publicity.xlsx:<year>"). */
async function publicityFile(db: Db, year: number, today: string, bureauName: string | undefined): Promise<Buffer> {
  return publicityWorkbook(await publicityRows(db, { year, today, bureauName }));
}

async function listingCard(tx: Tx, deps: BotDeps, now: Date, today: string, page: number) {
  const rows = await dueResults(tx, { today, timeZone: deps.config.TZ_BUREAU, calendar: await loadCalendar(tx) });
  return publicityCard({ rows, page, today, asOf: now.toISOString(), bureauName: deps.config.BUREAU_NAME });
}

/**
 * Marks the results `scopeOf` names published on the card's 公示日期, as the clicker. The date is checked first;
 * a date or a scope that can't be used comes back as `error` (the toast).
 */
async function markFromCard(
  ctx: CardContext,
  scopeOf: () => DueScope | { error: string },
): Promise<{ outcome: MarkOutcome; date: string } | { error: string }> {
  const picked = pickedDate(ctx);
  if ("error" in picked) return picked;
  const scope = scopeOf();
  if ("error" in scope) return scope;
  const { tx, now, today, deps, operator } = ctx;
  const outcome = await markPublished(tx, {
    scope,
    date: picked.date,
    actor: operator.openId,
    now,
    today,
    timeZone: deps.config.TZ_BUREAU,
    calendar: await loadCalendar(tx),
  });
  return { outcome, date: picked.date };
}

/** The date chosen on the card (default today), or the toast saying why it can't be used. */
function pickedDate(ctx: CardContext): { date: string } | { error: string } {
  const key = Object.keys(ctx.action.formValue).find((k) => k.startsWith("publish_date"));
  const raw = key === undefined ? undefined : ctx.action.formValue[key];
  if (raw === undefined || raw === null || raw === "") return { date: ctx.today };
  const date = parsePickedDate(raw);
  return date ? { date } : { error: "公示日期无效，请重新选择" };
}

const skippedText = (o: MarkOutcome) =>
  o.skipped.length ? `；${o.skipped.length} 条未标记（${o.skipped[0]!.why}${o.skipped.length > 1 ? " 等" : ""}）` : "";

export function register(bot: Bot): void {
  // 公示 导出: the workbook is built when the outbox sends the file message.
  bot.fileSource("publicity.xlsx", async (db, year) => ({
    bytes: await publicityFile(db, Number(year), bot.deps.clock.today(), bot.deps.config.BUREAU_NAME),
    fileType: "xls",
  }));
  bot.command({
    name: "publicity",
    roles: PUBLICITY_ROLES,
    usage: "公示 [导出 [年度]]",
    summary: "待公示结果（剩余工作日、逾期），标记已公示；「公示 导出」私信发送公示表",
    async run({ tx, now, today, deps, sender, message, args, reply }) {
      if (args[0] === "导出" || args[0]?.toLowerCase() === "export") {
        const year = args[1] && /^\d{4}$/.test(args[1]) ? Number(args[1]) : Number(today.slice(0, 4));
        const count = (await publicityRows(tx, { year, today, bureauName: deps.config.BUREAU_NAME })).length;
        await enqueueFile(
          tx,
          {
            key: `publicity-export:${message.messageId}`,
            to: { openId: sender.openId },
            fileName: `抽查结果公示-${year}.xlsx`,
            source: `publicity.xlsx:${year}`,
          },
          now,
        );
        const where = message.chatType === "p2p" ? "" : "已私信发送给您。";
        await reply(
          `${year} 年度抽查结果公示表（${count} 条，国家企业信用信息公示系统格式）${where || "见下方文件。"}${deps.config.BUREAU_NAME ? "" : `\n注意：${NO_BUREAU_NAME}`}`,
        );
        return;
      }
      await reply(await listingCard(tx, deps, now, today, 0));
    },
  });

  bot.cardAction({
    action: ACTION.publicity.page,
    roles: PUBLICITY_ROLES,
    async run({ tx, now, today, deps, param }) {
      return { card: await listingCard(tx, deps, now, today, Number(param("page")) || 0) };
    },
  });

  bot.cardAction({
    action: ACTION.publicity.mark,
    roles: PUBLICITY_ROLES,
    async run(ctx) {
      const { tx, now, today, deps, action } = ctx;
      const marked = await markFromCard(ctx, () => ({ resultIds: [ctx.id("resultId")] }));
      if ("error" in marked) return { toast: { type: "error", content: marked.error } };
      const { outcome, date } = marked;
      const card = await listingCard(tx, deps, now, today, Number(action.value["page"]) || 0);
      if (outcome.skipped.length) return { toast: { type: "error", content: outcome.skipped[0]!.why } };
      if (outcome.marked.length === 0)
        return { toast: { type: "info", content: "该结果已标记公示或已被更正，列表已刷新" }, card };
      const r = outcome.marked[0]!;
      return {
        toast: { type: "success", content: `已标记公示：${r.targetName || r.creditCode}（公示日期 ${date}）` },
        card,
      };
    },
  });

  bot.cardAction({
    action: ACTION.publicity.markAll,
    roles: PUBLICITY_ROLES,
    async run(ctx) {
      const { tx, now, today, deps, action } = ctx;
      const marked = await markFromCard(ctx, () => {
        const asOf = new Date(String(action.value["asOf"] ?? ""));
        return Number.isNaN(asOf.getTime()) ? { error: "这张卡片的按钮已失效，请重新发送「公示」" } : { asOf };
      });
      if ("error" in marked) return { toast: { type: "error", content: marked.error } };
      const { outcome, date } = marked;
      const card = await listingCard(tx, deps, now, today, 0);
      if (outcome.marked.length === 0)
        return {
          toast: {
            type: outcome.skipped.length ? "error" : "info",
            content: `没有标记任何结果${skippedText(outcome)}`,
          },
          card,
        };
      return {
        toast: {
          type: "success",
          content: `已标记公示 ${outcome.marked.length} 条（公示日期 ${date}）${skippedText(outcome)}`,
        },
        card,
      };
    },
  });
}
