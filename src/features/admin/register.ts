import type { Bot } from "../../bot/bot";
import { appendAudit } from "../../store/audit";
import type { Tx } from "../../store/db";

export async function settingValue(tx: Tx, key: string): Promise<string | null> {
  return (await tx.setting.findUnique({ where: { key } }))?.value ?? null;
}

const TARGETS: Record<string, { key: string; label: string }> = {
  法制办: { key: "legalChatId", label: "法制办群（逾期提醒）" },
  legal: { key: "legalChatId", label: "法制办群（逾期提醒）" },
  公告: { key: "announceChatId", label: "公告群（抽取承诺与结果）" },
  announce: { key: "announceChatId", label: "公告群（抽取承诺与结果）" },
};

export function register(bot: Bot): void {
  bot.command({
    name: "bind",
    roles: ["管理员"],
    usage: "绑定 法制办 | 绑定 公告",
    summary: "把当前群设为法制办群或公告群",
    async run({ tx, now, sender, message, args, reply }) {
      const target = TARGETS[(args[0] ?? "").toLowerCase()] ?? TARGETS[args[0] ?? ""];
      if (!target) return reply("请写明要绑定的用途：「绑定 法制办」或「绑定 公告」");
      if (message.chatType !== "group") return reply("请在要绑定的群里 @我 发送这条命令");
      const before = await settingValue(tx, target.key);
      await tx.setting.upsert({
        where: { key: target.key },
        create: { key: target.key, value: message.chatId },
        update: { value: message.chatId },
      });
      await appendAudit(tx, {
        at: now,
        actor: sender.openId,
        action: "setting.bind",
        entity: "setting",
        entityId: target.key,
        data: { chatId: message.chatId, before },
      });
      await reply(`已将本群设为${target.label}。`);
    },
  });
}
