import { NEXT_DISPOSALS } from "../src/domain/followups";
import { ACTION, type ActionName } from "./actions";
import { card, esc, form, md, option, plain, submitButton, type Card, type Element } from "./kit";

/** What a follow-up card shows (复查 card, 立案/移送 record card). */
export interface FollowUpView {
  id: number;
  kind: string;
  status: string;
  outcome: string | null;
  details: Record<string, string>;
  taskCode: string;
  targetName: string;
  creditCode: string;
  problem: string;
  disposal: string | null;
  /** The due date as shown (with the uncertainty mark when its year's holidays are not imported). */
  dueShown: string | null;
  /** 「逾期N个工作日」 / 「还剩N个工作日」 / 「今日到期」, when open. */
  dueState: string | null;
  owners: string[];
}

export function followUpSummary(v: FollowUpView): string {
  return [
    `**检查对象**：${esc(v.targetName)}（${v.creditCode}）　**任务**：${esc(v.taskCode)}`,
    v.problem ? `**问题**：${esc(v.problem)}` : "",
    `**后续处置**：${esc(v.kind)}${v.dueShown ? `　**期限**：${esc(v.dueShown)}` : ""}${v.dueState ? `（${v.dueState}）` : ""}`,
    `**负责人**：${esc(v.owners.join("、") || "—")}`,
  ]
    .filter(Boolean)
    .join("\n");
}

/**
 * The forms that record this follow-up's outcome. Every name carries the id (`review_date_12`), so
 * several follow-ups fit in one card (names are card-unique); the handler reads either form.
 */
export function followUpForms(v: FollowUpView, from?: string): Element[] {
  const value = (action: ActionName) => ({ action, followUpId: v.id, ...(from ? { from } : {}) });
  const id = v.id;
  if (v.kind === "整改复查") {
    return [
      form(`rectified_${id}`, [
        { tag: "date_picker", name: `review_date_${id}`, required: true, placeholder: plain("复查日期") },
        submitButton(`rectified_btn_${id}`, "已整改", value(ACTION.followup.rectified)),
      ]),
      form(`not_rectified_${id}`, [
        {
          tag: "select_static",
          name: `next_disposal_${id}`,
          required: true,
          placeholder: plain("下一步处置"),
          options: NEXT_DISPOSALS.map(option),
        },
        submitButton(`not_rectified_btn_${id}`, "未整改", value(ACTION.followup.notRectified), "danger"),
      ]),
    ];
  }
  const transfer = form(`transferred_${id}`, [
    { tag: "input", name: `receiver_${id}`, required: true, max_length: 100, placeholder: plain("接收单位") },
    { tag: "date_picker", name: `transfer_date_${id}`, required: true, placeholder: plain("移送日期") },
    submitButton(
      `transferred_btn_${id}`,
      "已移送",
      value(ACTION.followup.transferred),
      v.kind === "移送" ? "primary_filled" : "default",
    ),
  ]);
  if (v.kind === "移送") return [transfer];
  return [
    form(`case_closed_${id}`, [
      { tag: "input", name: `case_no_${id}`, required: true, max_length: 100, placeholder: plain("案号") },
      { tag: "date_picker", name: `closed_date_${id}`, required: true, placeholder: plain("结案日期") },
      submitButton(`case_closed_btn_${id}`, "已结案", value(ACTION.followup.caseClosed)),
    ]),
    transfer,
  ];
}

const TITLES: Record<string, string> = {
  整改复查: "整改复查",
  立案调查: "立案调查 · 请登记结果",
  移送: "移送 · 请登记接收单位",
};

export function followUpCard(v: FollowUpView): Card {
  if (v.status === "closed") {
    const details = Object.entries(v.details)
      .map(([k, x]) => `**${esc(k)}**：${esc(x)}`)
      .join("　");
    return card(`${v.kind} · ${v.outcome ?? "已办结"}`, v.outcome === "已撤销" ? "grey" : "green", [
      md(`${followUpSummary({ ...v, dueState: null })}\n${details}`),
    ]);
  }
  const hint =
    v.kind === "整改复查"
      ? "复查日期应在检查日期与今天之间（提前整改也可登记）。未整改时选择下一步处置，将开启新的后续处置。"
      : "登记后本项后续处置即办结。";
  return card(TITLES[v.kind] ?? v.kind, v.kind === "整改复查" ? "orange" : "purple", [
    md(followUpSummary(v)),
    md(hint),
    ...followUpForms(v),
  ]);
}
