import { BUNDLED_YEARS } from "../../domain/calendar";
import { enqueueMessage } from "../../lark/outbox";
import type { DbOrTx } from "../../store/db";
import { claimOnce } from "./once";

/** Administrators who can be written to: the roster's 管理员 plus BOT_ADMIN_OPEN_IDS. */
export async function adminOpenIds(tx: DbOrTx, configured: readonly string[]): Promise<string[]> {
  const rows = await tx.inspector.findMany({
    where: { roles: { contains: "管理员" }, openId: { not: null } },
    select: { openId: true },
  });
  return [...new Set([...configured, ...rows.map((r) => r.openId!)])];
}

export const importNotice = (year: number) =>
  `【节假日安排】${year} 年的法定节假日安排尚未导入（内置日历只到 ${Math.max(...BUNDLED_YEARS)} 年）。落在 ${year} 年的期限暂按周一至周五计算，并标注「（未导入${year}年节假日安排，日期待确认）」。国务院办公厅公布安排后，请把「节假日安排」表（日期、类型 休/班、名称）私聊发给我，或运行 drbot import holidays；导入后所有未办结的期限会重新计算，期限变动的人会收到通知。`;

/** Each administrator is told once per year, privately, to import that year's schedule. */
export async function tellAdminsToImport(
  tx: DbOrTx,
  year: number,
  configured: readonly string[],
  now: Date,
): Promise<number> {
  let told = 0;
  for (const openId of await adminOpenIds(tx, configured)) {
    const key = `calendar-notice:${year}:${openId}`;
    if (!(await claimOnce(tx, { job: "calendar-notice", recipient: openId, day: String(year) }, key, now))) continue;
    await enqueueMessage(tx, { key, to: { openId }, msgType: "text", content: { text: importNotice(year) } }, now);
    told++;
  }
  return told;
}
