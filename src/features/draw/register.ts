import { announcementCard, commitmentCard, revealedCard, type DrawNames } from "../../../cards/draw";
import type { Bot } from "../../bot/bot";
import { currentTeams } from "../../domain/draw/amend";
import type { Commitment, DrawRecord } from "../../domain/draw/types";
import { AppError } from "../../domain/errors";
import { enqueueFile, enqueueMessage } from "../../lark/outbox";
import type { Prisma } from "../../store/db";
import { settingValue } from "../admin/register";
import { sendTaskCards } from "../tasks/register";
import { registerCancel } from "./cancel";
import { commitDrawIn, revealDrawIn } from "./service";

type Tx = Prisma.TransactionClient;

/** Names for the cards, looked up once per card. */
async function namesFor(tx: Tx, record: DrawRecord): Promise<DrawNames> {
  const item = await tx.item.findUnique({ where: { code: record.task.itemCode }, select: { name: true } });
  const targetIds = record.selection.targets.map((t) => t.id);
  const targets = new Map((await tx.target.findMany({ where: { creditCode: { in: targetIds } }, select: { creditCode: true, name: true } })).map((t) => [t.creditCode, { name: t.name }]));
  const people = new Set(currentTeams(record).flatMap((t) => t.inspectorIds));
  const inspectors = new Map((await tx.inspector.findMany({ where: { certNo: { in: [...people] } }, select: { certNo: true, name: true } })).map((i) => [i.certNo, { name: i.name }]));
  return { itemName: item?.name ?? record.task.itemCode, targets, inspectors };
}

/** What the outbox records once the commitment card is out: its message id, for later updates. */
export async function onCommitCardSent(tx: Tx, drawId: string, messageId: string): Promise<void> {
  await tx.draw.update({ where: { id: drawId }, data: { messageId } });
}

export function register(bot: Bot): void {
  bot.command({
    name: "draw",
    roles: ["领导", "管理员"],
    usage: "抽取 <任务编号>",
    summary: "冻结号池并发布抽取承诺，见证人确认后揭示结果",
    async run({ tx, now, sender, message, args, reply, deps }) {
      const taskCode = args[0];
      if (!taskCode) return reply("请写明任务编号，例如：@双随机助手 抽取 T2026-01（发送「计划」查看任务）");
      const chatId = deps.config.LARK_ANNOUNCE_CHAT_ID ?? (await settingValue(tx, "announceChatId")) ?? message.chatId;
      const { commitment, itemName } = await commitDrawIn(tx, { taskCode, orderedBy: sender.openId, chatId }, { now: () => now });
      await enqueueMessage(
        tx,
        { key: `draw:${commitment.drawId}:commit`, to: { chatId }, msgType: "interactive", content: commitmentCard(commitment, itemName, sender.openId), onSent: `draw.commitCard:${commitment.drawId}` },
        now,
      );
      if (chatId !== message.chatId) await reply(`已在公告群发布 ${commitment.drawId} 的抽取承诺，请见证人在卡片上确认。`);
    },
  });

  bot.cardAction({
    action: "draw.confirm",
    roles: [], // any registered staff member may witness — except the one who ordered the draw
    async run({ tx, now, today, operator, action }) {
      const drawId = String(action.value["drawId"] ?? "");
      const entropy = String(action.formValue["entropy"] ?? "").trim();
      if (entropy === "") return { toast: { type: "error", content: "请先在输入框填写见证随机数" } };
      const draw = await tx.draw.findUnique({ where: { id: drawId } });
      if (!draw) throw new AppError("DRAW_NOT_FOUND", "找不到这次抽取");
      const { record, alreadyRevealed } = await revealDrawIn(tx, { drawId, witnessOpenId: operator.openId, entropy }, { now: () => now, today: () => today });
      const names = await namesFor(tx, record);
      if (!alreadyRevealed) {
        const teams = new Map(currentTeams(record).map((t) => [t.targetId, t.inspectorIds]));
        const chatId = draw.chatId ?? action.chatId;
        await enqueueMessage(tx, { key: `draw:${drawId}:announce`, to: { chatId }, msgType: "interactive", content: announcementCard(record, names, teams) }, now);
        // The full record (for drbot verify) and the drawn list (for filing and 公示), as files.
        await enqueueFile(tx, { key: `draw:${drawId}:record`, to: { chatId }, fileName: `抽取记录-${drawId}.json`, source: `draw.json:${drawId}` }, now);
        await enqueueFile(tx, { key: `draw:${drawId}:list`, to: { chatId }, fileName: `抽取名单-${drawId}.xlsx`, source: `draw.xlsx:${drawId}` }, now);
        await sendTaskCards(tx, drawId, now);
      }
      return {
        toast: alreadyRevealed ? { type: "info", content: "这次抽取已经揭示过了" } : { type: "success", content: `抽取完成：抽中 ${record.selection.targets.length} 户` },
        card: revealedCard(record, names.itemName),
      };
    },
  });
  registerCancel(bot);
}
