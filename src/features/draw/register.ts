import { ACTION } from "../../../cards/actions";
import { commitmentCard, revealedCard } from "../../../cards/draw";
import type { Bot } from "../../bot/bot";
import { AppError } from "../../domain/errors";
import { enqueueMessage } from "../../lark/outbox";
import type { Tx } from "../../store/db";
import { settingValue } from "../admin/register";
import { drawWorkbook } from "../exports/workbook";
import { registerFanOut } from "./fanout";
import { commitDrawIn, publishedRecord, revealDrawIn } from "./service";
import { registerCancel } from "./cancel";

/** What the outbox records once the commitment card is out: its message id, for later updates. */
async function onCommitCardSent(tx: Tx, drawId: string, messageId: string): Promise<void> {
  await tx.draw.update({ where: { id: drawId }, data: { messageId } });
}

export function register(bot: Bot): void {
  bot.onSent("draw.commitCard", onCommitCardSent);
  // A revealed draw's files, built when the outbox sends them.
  bot.fileSource("draw.json", async (db, drawId) => ({
    bytes: Buffer.from(
      JSON.stringify(publishedRecord(await db.draw.findUniqueOrThrow({ where: { id: drawId } })), null, 2) + "\n",
    ),
    fileType: "stream",
  }));
  bot.fileSource("draw.xlsx", async (db, drawId) => ({
    bytes: await drawWorkbook(
      db,
      publishedRecord(await db.draw.findUniqueOrThrow({ where: { id: drawId } })),
      bot.deps.config.TZ_BUREAU,
    ),
    fileType: "xls",
  }));
  registerFanOut(bot);

  bot.command({
    name: "draw",
    roles: ["领导", "管理员"],
    usage: "抽取 <任务编号>",
    groupOnly: true, // a draw is a public act
    summary: "冻结号池并发布抽取承诺，见证人确认后揭示结果",
    async run({ tx, now, sender, message, args, reply, deps }) {
      const taskCode = args[0];
      if (!taskCode) return reply("请写明任务编号，例如：@双随机助手 抽取 T2026-01（发送「计划」查看任务）");
      const chatId = deps.config.LARK_ANNOUNCE_CHAT_ID ?? (await settingValue(tx, "announceChatId")) ?? message.chatId;
      const { commitment, itemName, excludedDrawn } = await commitDrawIn(
        tx,
        { taskCode, orderedBy: sender.openId, chatId },
        { now: () => now },
      );
      await enqueueMessage(
        tx,
        {
          key: `draw:${commitment.drawId}:commit`,
          to: { chatId },
          msgType: "interactive",
          content: commitmentCard(commitment, itemName, sender.openId, excludedDrawn),
          onSent: `draw.commitCard:${commitment.drawId}`,
        },
        now,
      );
      if (chatId !== message.chatId)
        await reply(`已在公告群发布 ${commitment.drawId} 的抽取承诺，请见证人在卡片上确认。`);
    },
  });

  bot.cardAction({
    action: ACTION.draw.confirm,
    roles: [], // any registered staff member may witness — except the one who ordered the draw
    async run({ tx, now, today, operator, action, param, text }) {
      const drawId = param("drawId");
      const entropy = text("entropy");
      if (entropy === "") return { toast: { type: "error", content: "请先在输入框填写见证随机数" } };
      // Only the chat here: the record (megabytes at 20,000 targets) is read once, by the reveal.
      const draw = await tx.draw.findUnique({ where: { id: drawId }, select: { chatId: true } });
      if (!draw) throw new AppError("DRAW_NOT_FOUND", "找不到这次抽取");
      const { record, alreadyRevealed } = await revealDrawIn(
        tx,
        { drawId, witnessOpenId: operator.openId, entropy },
        { now: () => now, today: () => today },
      );
      // The click decides (the reveal above); the announcement, files and task cards follow in the
      // processing thread, after this answer (spec §3).
      if (!alreadyRevealed)
        await bot.emit(tx, "draw.revealed", drawId, { drawId, chatId: draw.chatId ?? action.chatId }, now);
      const item = await tx.item.findUnique({ where: { code: record.task.itemCode }, select: { name: true } });
      return {
        toast: alreadyRevealed
          ? { type: "info", content: "这次抽取已经揭示过了" }
          : { type: "success", content: `抽取完成：抽中 ${record.selection.targets.length} 户` },
        card: revealedCard(record, item?.name ?? record.task.itemCode),
      };
    },
  });
  registerCancel(bot);
}
