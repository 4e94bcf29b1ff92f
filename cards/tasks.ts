import { maskPhone } from "../src/domain/phone";
import { showDeadline } from "../src/domain/deadlines";
import { DISPOSALS, RESULT_CATEGORIES, RESULT_FIELDS } from "../src/domain/results";
import { ACTION } from "./actions";
import {
  at,
  button,
  card,
  esc,
  form,
  hr,
  md,
  option,
  plain,
  reasonForm,
  submitButton,
  type Card,
  type Element,
} from "./kit";

export interface TaskView {
  assignmentId: number;
  taskCode: string;
  taskName: string;
  itemName: string;
  basis: string;
  content: string;
  deadline: string;
  target: { creditCode: string; name: string; address: string; legalRep: string; phone: string };
  partners: string[];
  state: "assigned" | "accepted" | "recusal_requested" | "recused" | "withdrawn";
  result?: ResultView;
}

export interface ResultView {
  id: number;
  inspectionDate: string;
  category: string;
  problem: string;
  disposal: string | null;
  rectifyDeadline: string | null;
  remark: string;
  status: string; // submitted | confirmed | disputed
  submittedByName: string;
  version?: number;
  correctionReason?: string | null;
  correctedByName?: string | null;
  publicityDue: string | null;
  publicityDueUncovered?: number | null;
  disputeReason: string | null;
}

/**
 * The target's phone, masked, and a button for the full number (answered privately to an assigned
 * inspector). Both are marked sensitive: if Feishu's data-leak review refuses the card (230028), the
 * outbox resends it without them.
 */
function phone(v: TaskView): Element[] {
  if (!v.target.phone) return [];
  return [
    { ...md(`**电话**：${esc(maskPhone(v.target.phone))}`), element_id: "sensitive_phone" },
    {
      ...button("show_phone", "查看完整电话", { action: ACTION.task.phone, assignmentId: v.assignmentId }),
      element_id: "sensitive_phone_btn",
    },
  ];
}

function details(v: TaskView): Element[] {
  return [detailsText(v), ...phone(v)];
}

function detailsText(v: TaskView): Element {
  return md(
    [
      `**检查对象**：${esc(v.target.name)}（${v.target.creditCode}）`,
      `**地址**：${esc(v.target.address || "—")}　**法定代表人**：${esc(v.target.legalRep || "—")}`,
      `**抽查事项**：${esc(v.itemName)}`,
      v.basis ? `**检查依据**：${esc(v.basis)}` : "",
      v.content ? `**检查内容**：${esc(v.content)}` : "",
      `**完成期限**：${v.deadline}　**同组人员**：${esc(v.partners.join("、") || "—")}`,
    ]
      .filter(Boolean)
      .join("\n"),
  );
}

export function resultText(r: ResultView): string {
  return [
    `**检查日期**：${r.inspectionDate}　**检查结果**：${esc(r.category)}`,
    r.problem ? `**问题描述**：${esc(r.problem)}` : "",
    r.disposal ? `**后续处置**：${esc(r.disposal)}${r.rectifyDeadline ? `（整改期限 ${r.rectifyDeadline}）` : ""}` : "",
    r.remark ? `**备注**：${esc(r.remark)}` : "",
    r.correctionReason
      ? `**已更正**（第 ${r.version ?? 2} 版，${esc(r.correctedByName ?? "")}）：${esc(r.correctionReason)}`
      : "",
    `**提交人**：${esc(r.submittedByName)}　**状态**：${r.status === "confirmed" ? `已确认，公示期限 ${r.publicityDue ? showDeadline(r.publicityDue, r.publicityDueUncovered) : "—"}` : r.status === "disputed" ? `同组有异议：${esc(r.disputeReason ?? "")}` : "等待同组确认"}`,
  ]
    .filter(Boolean)
    .join("\n");
}

type ResultField = keyof typeof RESULT_FIELDS;

/** When a field must be filled, said on the new form (the server checks it again: parseResultForm). */
const HINTS: Partial<Record<ResultField, string>> = {
  problem: "发现问题时必填",
  disposal: "发现问题待后续处理时必选",
  rectify_deadline: "责令限期整改时必填",
};

/**
 * One component per RESULT_FIELDS entry, in its order, named and labelled as parseResultForm reads
 * them: a field added there fails the typecheck here until the form has it. `initial` prefills a
 * correction.
 */
const RESULT_INPUTS: Record<ResultField, (placeholder: ReturnType<typeof plain>, initial?: ResultView) => Element> = {
  inspection_date: (placeholder, r) => ({
    tag: "date_picker",
    name: "inspection_date",
    required: true,
    ...(r ? { initial_date: r.inspectionDate } : {}),
    placeholder,
  }),
  category: (placeholder, r) => ({
    tag: "select_static",
    name: "category",
    required: true,
    ...(r ? { initial_option: r.category } : {}),
    placeholder,
    options: RESULT_CATEGORIES.map(option),
  }),
  problem: (placeholder, r) => ({
    tag: "input",
    name: "problem",
    max_length: 1000,
    ...(r ? { default_value: r.problem } : {}),
    placeholder,
  }),
  disposal: (placeholder, r) => ({
    tag: "select_static",
    name: "disposal",
    ...(r?.disposal ? { initial_option: r.disposal } : {}),
    placeholder,
    options: DISPOSALS.map(option),
  }),
  rectify_deadline: (placeholder, r) => ({
    tag: "date_picker",
    name: "rectify_deadline",
    ...(r?.rectifyDeadline ? { initial_date: r.rectifyDeadline } : {}),
    placeholder,
  }),
  remark: (placeholder, r) => ({
    tag: "input",
    name: "remark",
    max_length: 500,
    ...(r ? { default_value: r.remark } : {}),
    placeholder,
  }),
};

function resultInputs(initial?: ResultView): Element[] {
  return (Object.keys(RESULT_FIELDS) as ResultField[]).map((f) => {
    const hint = initial ? undefined : HINTS[f];
    return RESULT_INPUTS[f](plain(hint ? `${RESULT_FIELDS[f]}（${hint}）` : RESULT_FIELDS[f]), initial);
  });
}

/** The result form (Card JSON 2.0 form; the server validates every field again). */
export function resultForm(assignmentId: number): Element {
  return form("result_form", [
    ...resultInputs(),
    submitButton("submit_result", "提交检查结果", { action: ACTION.result.submit, assignmentId }),
  ]);
}

/** `withForm`: a re-issued card (我的任务) carries the result form even before 接受 (submitting accepts). */
export function taskCard(v: TaskView, opts: { withForm?: boolean } = {}): Card {
  const title = `检查任务 · ${v.taskCode}`;
  if (v.state === "recused")
    return card(`${title}（已回避）`, "grey", [detailsText(v), md("您的回避申请已批准，本户已改派他人。")]);
  if (v.state === "withdrawn")
    return card(`${title}（已撤换）`, "grey", [detailsText(v), md("您在名录库中已为离岗，本户已改派他人。")]);
  if (v.result && v.result.status !== "disputed") {
    return card(
      `${title}（${v.result.status === "confirmed" ? "已确认" : "已提交"}）`,
      v.result.status === "confirmed" ? "green" : "turquoise",
      [...details(v), hr(), md(resultText(v.result))],
    );
  }
  if (v.state === "recusal_requested")
    return card(`${title}（回避审批中）`, "orange", [...details(v), md("回避申请已提交，等待领导审批。")]);
  if (v.state === "accepted") {
    const disputed =
      v.result?.status === "disputed"
        ? [md(`上次提交的结果同组有异议：${esc(v.result.disputeReason ?? "")}。请核实后重新提交。`)]
        : [];
    return card(`${title}（已接受）`, "blue", [...details(v), ...disputed, hr(), resultForm(v.assignmentId)]);
  }
  return card(title, "blue", [
    ...details(v),
    hr(),
    button("accept_task", "接受任务", { action: ACTION.task.accept, assignmentId: v.assignmentId }, "primary_filled"),
    reasonForm({
      name: "recusal_form",
      placeholder: "如与该对象存在利害关系，请写明回避理由",
      button: "request_recusal",
      text: "申请回避",
      value: { action: ACTION.task.recuse, assignmentId: v.assignmentId },
      type: "default",
    }),
    ...(opts.withForm ? [hr(), resultForm(v.assignmentId)] : []),
  ]);
}

/** To the leaders: one inspector asks to be recused from one target. */
export function recusalApprovalCard(o: {
  requestId: number;
  taskCode: string;
  targetName: string;
  creditCode: string;
  inspectorName: string;
  inspectorOpenId: string | null;
  reason: string;
  decided?: { approved: boolean; by: string; note: string };
}): Card {
  const head = md(
    `**任务**：${esc(o.taskCode)}\n**检查对象**：${esc(o.targetName)}（${o.creditCode}）\n**申请人**：${o.inspectorOpenId ? at(o.inspectorOpenId) : esc(o.inspectorName)}\n**理由**：${esc(o.reason)}`,
  );
  if (o.decided)
    return card(`回避申请 · ${o.decided.approved ? "已批准" : "已驳回"}`, o.decided.approved ? "green" : "grey", [
      head,
      md(`${at(o.decided.by)} ${o.decided.note}`),
    ]);
  return card("回避申请 · 待审批", "orange", [
    head,
    md("批准后将记录回避关系，并按抽取记录确定性地选派替换人员（任何人可复核）。"),
    button("approve_recusal", "批准回避", { action: ACTION.recusal.approve, requestId: o.requestId }, "primary_filled"),
    reasonForm({
      name: "reject_form",
      placeholder: "驳回理由",
      button: "reject_recusal",
      text: "驳回",
      value: { action: ACTION.recusal.reject, requestId: o.requestId },
    }),
  ]);
}

/** To the partner: confirm the submitted result, or object with a reason. */
export function confirmationCard(o: {
  resultId: number;
  taskCode: string;
  targetName: string;
  creditCode: string;
  result: ResultView;
  done?: string;
}): Card {
  const head = md(
    `**任务**：${esc(o.taskCode)}　**检查对象**：${esc(o.targetName)}（${o.creditCode}）\n${resultText(o.result)}`,
  );
  if (o.done) return card(`检查结果 · ${o.done}`, o.done === "已确认" ? "green" : "grey", [head]);
  return card("检查结果 · 请同组确认", "turquoise", [
    head,
    button("confirm_result", "确认无误", { action: ACTION.result.confirm, resultId: o.resultId }, "primary_filled"),
    reasonForm({
      name: "dispute_form",
      placeholder: "如有异议，请写明理由",
      button: "dispute_result",
      text: "有异议",
      value: { action: ACTION.result.dispute, resultId: o.resultId },
    }),
  ]);
}

/** For 法制员/领导: the confirmed result, prefilled, plus the mandatory reason. */
export function correctionCard(o: {
  resultId: number;
  taskCode: string;
  targetName: string;
  creditCode: string;
  result: ResultView;
}): Card {
  const r = o.result;
  return card(`更正检查结果 · ${o.taskCode}`, "orange", [
    md(
      `**检查对象**：${esc(o.targetName)}（${o.creditCode}）\n**现结果**：\n${resultText(r)}\n\n更正后原结果保留为历史版本，更正人与理由记入留痕。`,
    ),
    form("correction_form", [
      ...resultInputs(r),
      {
        tag: "input",
        name: "correction_reason",
        required: true,
        max_length: 300,
        placeholder: plain("更正理由（必填）"),
      },
      submitButton("submit_correction", "提交更正", { action: ACTION.result.correct, resultId: o.resultId }),
    ]),
  ]);
}
