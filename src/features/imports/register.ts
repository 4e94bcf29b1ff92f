import type { Bot } from "../../bot/bot";
import { importLimits } from "../../config";
import { noticeWithdrawals } from "../tasks/withdrawal";
import { importFromChat } from "./chat";

/** Registers the chat import: an .xlsx/.csv sent to the bot privately by an administrator. */
export function register(bot: Bot): void {
  bot.onFile({
    prepare: (db, message, deps) =>
      importFromChat(
        db,
        deps.client,
        message,
        deps.config.BOT_ADMIN_OPEN_IDS,
        deps.clock.now(),
        importLimits(deps.config),
        {
          announceChatId: deps.config.LARK_ANNOUNCE_CHAT_ID,
          bureauName: deps.config.BUREAU_NAME,
          log: deps.logger, // the event's child logger
        },
      ),
    // A roster import may have set someone 离岗 who still holds open assignments: ask the 领导s.
    async after(tx, now, deps) {
      await noticeWithdrawals(tx, now, deps.config.BOT_ADMIN_OPEN_IDS);
    },
  });
}
