import type * as lark from "@larksuiteoapi/node-sdk";
import { notice, type Card } from "../../../cards/kit";
import type { IncomingMessage } from "../../lark/wire";
import { whoIs } from "../../bot/roles";
import { isAppError } from "../../domain/errors";
import { larkContactDirectory } from "../../lark/contact";
import type { Logger } from "../../logger";
import type { Db } from "../../store/db";
import { importFile } from "./importer";
import { DEFAULT_IMPORT_LIMITS, tooLarge, WRONG_FORMAT, type ImportLimits } from "./table";

const MAX_ERRORS_SHOWN = 30;

/**
 * An .xlsx/.csv sent to the bot privately by an administrator: downloaded through the SDK and
 * imported with the same code as `drbot import` (kind detected from the header row; all or nothing).
 * Returns the summary card to send back. Runs outside the event's transaction (see EventPreparer).
 */
export async function importFromChat(
  db: Db,
  client: lark.Client,
  message: IncomingMessage,
  adminOpenIds: readonly string[],
  now: Date,
  limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
  plan: { announceChatId?: string; bureauName?: string; log?: Logger } = {},
): Promise<Card | string> {
  const file = message.file!;
  if (message.chatType !== "p2p") return "导入名录请私聊发送文件给我。";
  const sender = await whoIs(db, message.senderOpenId, adminOpenIds);
  if (!sender.roles.has("管理员")) return "抱歉，导入名录仅限管理员使用。";
  if (!/\.(xlsx|csv)$/i.test(file.fileName)) return `「${file.fileName}」的格式无法导入。${WRONG_FORMAT}`;

  let buffer: Buffer;
  try {
    buffer = await download(client, message.messageId, file.fileKey, limits.maxBytes);
  } catch (e) {
    // Too large is a final answer (the event is done, never retried); anything else may be transient.
    if (isAppError(e)) return notice("未导入", e.message, "red");
    plan.log?.warn({ err: e, fileName: file.fileName }, "could not download a file sent to the bot");
    return "文件下载失败，请稍后重新发送。";
  }
  try {
    const r = await importFile(db, buffer, file.fileName, {
      actor: sender.openId,
      at: now,
      directory: larkContactDirectory(client),
      limits,
      ...plan,
    });
    const warnings = r.warnings.length ? `\n\n提示：\n${r.warnings.join("\n")}` : "";
    return notice(
      `${r.title}导入完成`,
      `文件：${file.fileName}\n共 ${r.rows} 行：新增 ${r.created}，更新 ${r.updated}，未变 ${r.unchanged}。${warnings}`,
      "green",
    );
  } catch (e) {
    if (!isAppError(e)) throw e;
    const errors = (e.details["errors"] as string[] | undefined) ?? [];
    if (errors.length === 0) return notice("未导入", e.message, "red");
    const shown = errors.slice(0, MAX_ERRORS_SHOWN).join("\n");
    const more = errors.length > MAX_ERRORS_SHOWN ? `\n……共 ${errors.length} 处问题` : "";
    return notice(
      "未导入：请修改后重新发送",
      `文件：${file.fileName}\n以下问题全部改正后才会写入（本次未写入任何数据）：\n${shown}${more}`,
      "red",
    );
  }
}

/**
 * The file's bytes, at most `maxBytes`: the receive event carries no size, so the download stream is
 * stopped (and the connection dropped) as soon as it passes the limit, or at once when Feishu's
 * Content-Length already says so.
 */
async function download(client: lark.Client, messageId: string, fileKey: string, maxBytes: number): Promise<Buffer> {
  const res = await client.im.v1.messageResource.get({
    path: { message_id: messageId, file_key: fileKey },
    params: { type: "file" },
  });
  const stream = res.getReadableStream();
  const declared = Number((res.headers as Record<string, unknown> | undefined)?.["content-length"] ?? NaN);
  if (declared > maxBytes) {
    stream.destroy();
    throw tooLarge(declared, { maxBytes });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw tooLarge(size, { maxBytes });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
