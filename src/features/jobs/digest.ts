import { digestCard } from "../../../cards/jobs";
import type { Bot } from "../../bot/bot";
import type { Config } from "../../config";
import { loadCalendar } from "../../store/calendar";
import type { DbOrTx } from "../../store/db";
import { collectDue, DIGEST_KINDS } from "./due";

/** The 法制办 group: `绑定 法制办` wins over LARK_LEGAL_CHAT_ID. */
export async function legalChatId(tx: DbOrTx, config: Pick<Config, "LARK_LEGAL_CHAT_ID">): Promise<string | null> {
  return (await tx.setting.findUnique({ where: { key: "legalChatId" } }))?.value ?? config.LARK_LEGAL_CHAT_ID ?? null;
}

export async function announceChatId(
  tx: DbOrTx,
  config: Pick<Config, "LARK_ANNOUNCE_CHAT_ID">,
): Promise<string | null> {
  return (
    (await tx.setting.findUnique({ where: { key: "announceChatId" } }))?.value ?? config.LARK_ANNOUNCE_CHAT_ID ?? null
  );
}

export function register(bot: Bot): void {
  bot.job({
    name: "digest",
    async run({ db, today, calendar, deps, note }) {
      const lines = await collectDue(db, today, calendar);
      if (lines.length === 0) return [];
      const chatId = await legalChatId(db, deps.config);
      if (!chatId) {
        note(
          `有 ${lines.length} 项待督办，但未绑定法制办群（在群里 @我 发送「绑定 法制办」，或设置 LARK_LEGAL_CHAT_ID）`,
        );
        return [];
      }
      return [{ to: { chatId }, label: "法制办群", content: digestCard(today, DIGEST_KINDS, lines) }];
    },
  });

  bot.command({
    name: "overdue",
    roles: ["法制员", "领导", "管理员"],
    usage: "督办",
    summary: "逾期及 3 个工作日内到期的事项（与法制办日报相同）",
    async run({ tx, today, reply }) {
      const lines = await collectDue(tx, today, await loadCalendar(tx));
      await reply(lines.length ? digestCard(today, DIGEST_KINDS, lines) : "目前没有逾期或 3 个工作日内到期的事项。");
    },
  });
}
