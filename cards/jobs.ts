import { dueText, showDeadline, type DueState } from "../src/domain/deadlines";
import { ACTION } from "./actions";
import { button, card, cardBytes, esc, hr, md, MAX_CARD_BYTES, reasonForm, type Card, type Element } from "./kit";

/** Lines per heading before the card says how many more (keeps a card far below Feishu's 30 KB). */
export const MAX_LINES = 25; // 4 headings × 25 lines × ~200 bytes stays under 30 KB

export interface DigestLine {
  kind: string;
  targetName: string;
  creditCode: string;
  taskCode: string;
  owners: string[];
  due: string;
  uncoveredYear: number | null;
  state: DueState;
}

const lineText = (l: DigestLine) =>
  `${esc(l.targetName || "—")}（${l.creditCode}）｜${esc(l.taskCode)}｜${esc(l.owners.join("、") || "—")}｜${"overdue" in l.state ? "**" : ""}${dueText(l.state)}${"overdue" in l.state ? "**" : ""}（期限 ${esc(showDeadline(l.due, l.uncoveredYear))}）`;

/** The 法制办 digest and 督办: one card, grouped under the four headings that have lines. */
export function digestCard(today: string, headings: readonly string[], lines: DigestLine[]): Card {
  const elements: Element[] = [];
  for (const h of headings) {
    const mine = lines.filter((l) => l.kind === h);
    if (mine.length === 0) continue;
    const overdue = mine.filter((l) => "overdue" in l.state).length;
    if (elements.length) elements.push(hr());
    elements.push(md(`**「${h}」** ${mine.length} 项${overdue ? `，其中逾期 ${overdue} 项` : ""}`));
    elements.push(md(mine.slice(0, MAX_LINES).map(lineText).join("\n")));
    if (mine.length > MAX_LINES) elements.push(md(`……另有 ${mine.length - MAX_LINES} 项`));
  }
  elements.push(md(`每行：检查对象（统一社会信用代码）｜任务｜负责人｜逾期或剩余工作日。统计日期 ${today}。`));
  return card(
    `督办 · 逾期及 3 个工作日内到期（${lines.length} 项）`,
    lines.some((l) => "overdue" in l.state) ? "red" : "orange",
    elements,
  );
}

export interface ReminderSection {
  title: string;
  items: { text: string; actions: Element[] }[];
}

/** One private card a day with everything of one person's, each item with its buttons or form. */
export function remindersCard(today: string, sections: ReminderSection[]): Card {
  // Forms are large: show fewer items per section until the card fits Feishu's 30 KB.
  for (const cap of [10, 6, 3, 1]) {
    const c = remindersCardWith(today, sections, cap);
    if (cardBytes(c) < MAX_CARD_BYTES || cap === 1) return c;
  }
  throw new Error("unreachable");
}

function remindersCardWith(today: string, sections: ReminderSection[], cap: number): Card {
  const elements: Element[] = [];
  let count = 0;
  for (const s of sections) {
    if (s.items.length === 0) continue;
    if (elements.length) elements.push(hr());
    elements.push(md(`**${esc(s.title)}**（${s.items.length}）`));
    for (const item of s.items.slice(0, cap)) elements.push(md(item.text), ...item.actions);
    count += s.items.length;
    if (s.items.length > cap) elements.push(md(`……另有 ${s.items.length - cap} 项，发送「我的任务」查看`));
  }
  return card(`今日待办（${today}）`, "orange", elements, `共 ${count} 项`);
}

export interface SummaryRow {
  code: string;
  name: string;
  state: string;
  drawn: number;
  submitted: number;
  confirmed: number;
  published: number;
  overdue: number;
  endDate: string;
}

export function summaryCard(today: string, year: number, rows: SummaryRow[], openFollowUps: number): Card {
  const body = rows.length
    ? rows
        .map(
          (r) =>
            `**${esc(r.code)}** ${esc(r.name)}（${r.state}，${r.endDate} 结束）\n抽中 ${r.drawn}｜已提交 ${r.submitted}｜已确认 ${r.confirmed}｜已公示 ${r.published}｜公示逾期 ${r.overdue}`,
        )
        .join("\n")
    : `${year} 年度尚未导入抽查计划。`;
  return card(`本周抽查进度（${today}）`, "blue", [
    md(body),
    hr(),
    md(`未办结的后续处置 ${openFollowUps} 件。发送「进度」或「统计」查看详情。`),
  ]);
}

/*
 * The buttons and forms of a reminder item. Several items share one card, so every name carries
 * the row's id (Feishu wants names card-unique), the reason inputs too (`reason_<form>`: the handler
 * reads either).
 */

/** An assignment still without a result: a fresh private task card with the form. */
export const openTaskActions = (assignmentId: number): Element[] => [
  button(`open_task_${assignmentId}`, "打开任务卡（填写结果）", { action: ACTION.task.open, assignmentId }),
];

/** A partner's result waiting for this person's confirmation. */
export const confirmResultActions = (resultId: number, certNo: string): Element[] => {
  const name = `dispute_${resultId}_${certNo}`;
  return [
    button(`confirm_${resultId}`, "确认无误", { action: ACTION.result.confirm, resultId }, "primary_filled"),
    reasonForm({
      name,
      placeholder: "如有异议，请写明理由",
      button: `${name}_btn`,
      text: "有异议",
      value: { action: ACTION.result.dispute, resultId },
      field: `reason_${name}`,
    }),
  ];
};

/** A recusal request waiting for a 领导. */
export const decideRecusalActions = (requestId: number): Element[] => {
  const name = `reject_${requestId}`;
  return [
    button(`approve_${requestId}`, "批准回避", { action: ACTION.recusal.approve, requestId }, "primary_filled"),
    reasonForm({
      name,
      placeholder: "驳回理由",
      button: `${name}_btn`,
      text: "驳回",
      value: { action: ACTION.recusal.reject, requestId },
      field: `reason_${name}`,
    }),
  ];
};
