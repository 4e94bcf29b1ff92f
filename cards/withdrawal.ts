import { ACTION } from "./actions";
import { button, card, esc, md, type Card } from "./kit";

export interface WithdrawalLine {
  taskCode: string;
  targetName: string;
  creditCode: string;
  /** Filled once confirmed: who took over. */
  replacementName?: string;
}

/**
 * To the 领导: someone who went 离岗 still holds open assignments. 「确认撤换」 appends a
 * `withdrawal` amendment per target, with the replacement chosen exactly as for a recusal.
 */
export function withdrawalCard(o: {
  certNo: string;
  name: string;
  lines: WithdrawalLine[];
  more?: number;
  done?: { by: string };
}): Card {
  const list = o.lines
    .map(
      (l, k) =>
        `${k + 1}. ${esc(l.taskCode)}　${esc(l.targetName)}（${l.creditCode}）${l.replacementName ? ` → ${esc(l.replacementName)}` : ""}`,
    )
    .join("\n");
  const more = o.more ? `\n……另有 ${o.more} 项` : "";
  if (o.done) {
    return card(`人员撤换 · 已确认`, "green", [
      md(
        `**${esc(o.name)}**（${esc(o.certNo)}）已离岗，以下任务已按抽取记录确定性撤换（可用 drbot verify 复核）：\n${list}${more}`,
      ),
    ]);
  }
  return card(`人员撤换 · 待确认`, "orange", [
    md(
      `**${esc(o.name)}**（${esc(o.certNo)}）在名录库中已为**离岗**，仍有 ${o.lines.length + (o.more ?? 0)} 项未完成的检查任务：\n${list}${more}`,
    ),
    md(
      "确认后，每户按抽取记录确定性地选派替换人员（与回避相同的规则，任何人可复核），替换人员将收到任务卡片，工作群会收到通知。",
    ),
    button(
      "confirm_withdrawal",
      "确认撤换",
      { action: ACTION.withdrawal.confirm, certNo: o.certNo },
      "primary_filled",
      {
        title: "确认撤换",
        text: `撤换 ${o.name} 的全部未完成任务？`,
      },
    ),
  ]);
}
