import { isValidDate, shiftDays, type WorkCalendar } from "./calendar";
import { givenDeadline, workingDeadline, type Deadline } from "./deadlines";

/**
 * 后续处置 as a state machine (interface.md §8). Pure: the service loads rows, asks `transition`,
 * then writes and audits what it answers. A follow-up is open until an event closes it with an
 * outcome; a closed one never changes again.
 *
 *   整改复查 ──已整改(复查日期)──▶ closed
 *       └────未整改(下一步)────▶ closed, opens 立案调查 | 移送
 *   立案调查 ──已结案(案号, 结案日期)──▶ closed
 *       └────已移送(接收单位, 移送日期)──▶ closed
 *   移送     ──已移送(接收单位, 移送日期)──▶ closed
 *   any open ──已撤销(理由)──▶ closed   (a correction made it no longer apply)
 */

export const FOLLOW_UP_KINDS = ["整改复查", "立案调查", "移送"] as const;
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];
export type Outcome = "已整改" | "未整改" | "已结案" | "已移送" | "已撤销";
export const NEXT_DISPOSALS = ["立案调查", "移送有关部门", "移送司法机关"] as const;
export type NextDisposal = (typeof NEXT_DISPOSALS)[number];

/** 行政处罚法 第六十条: a case is decided within 90 days of 立案. */
const CASE_DAYS = 90;
/** A transfer (移送) is expected within 10 working days (the bureau's rule; configurable later). */
const TRANSFER_WORKING_DAYS = 10;

export function kindForDisposal(disposal: string | null | undefined): FollowUpKind | null {
  if (disposal === "责令限期整改") return "整改复查";
  if (disposal === "立案调查") return "立案调查";
  if (disposal === "移送有关部门" || disposal === "移送司法机关") return "移送";
  return null;
}

/** The due date a new follow-up gets: the 整改期限 as given, 90 days for a case, 10 working days for a transfer. */
export function dueFor(
  kind: FollowUpKind,
  openedOn: string,
  rectifyDeadline: string | null,
  cal: WorkCalendar,
): Deadline | null {
  if (kind === "整改复查") return rectifyDeadline ? givenDeadline(cal, rectifyDeadline) : null;
  if (kind === "立案调查") return { date: shiftDays(openedOn, CASE_DAYS), uncoveredYear: null };
  return workingDeadline(cal, openedOn, TRANSFER_WORKING_DAYS);
}

export interface FollowUpState {
  kind: FollowUpKind;
  status: "open" | "closed";
  outcome?: string | null;
}

export type FollowUpEvent =
  | { type: "rectified"; reviewDate: string }
  | { type: "not_rectified"; next: string }
  | { type: "case_closed"; caseNo: string; closedDate: string }
  | { type: "transferred"; receiver: string; transferDate: string }
  | { type: "void"; reason: string };

export interface TransitionContext {
  today: string;
  /** The result's 检查日期: nothing that follows can be earlier. */
  inspectionDate: string;
  /** The bureau date the follow-up opened. */
  openedOn: string;
}

export type Transition =
  | {
      ok: true;
      outcome: Outcome;
      details: Record<string, string>;
      opens: { kind: FollowUpKind; disposal: NextDisposal } | null;
    }
  | { ok: false; message: string };

const EVENT_LABEL: Record<FollowUpEvent["type"], string> = {
  rectified: "已整改",
  not_rectified: "未整改",
  case_closed: "已结案",
  transferred: "已移送",
  void: "撤销",
};
const ALLOWED: Record<FollowUpKind, FollowUpEvent["type"][]> = {
  整改复查: ["rectified", "not_rectified", "void"],
  立案调查: ["case_closed", "transferred", "void"],
  移送: ["transferred", "void"],
};

const fail = (message: string): Transition => ({ ok: false, message });

function dateIn(label: string, date: string, from: string, fromLabel: string, today: string): string | null {
  if (!isValidDate(date)) return `${label}：请选择有效日期`;
  if (date < from) return `${label}：不能早于${fromLabel}（${from}）`;
  if (date > today) return `${label}：不能晚于今天`;
  return null;
}

const text = (s: string) => s.trim();

/** The one place that decides what may happen to a follow-up. */
export function transition(state: FollowUpState, event: FollowUpEvent, ctx: TransitionContext): Transition {
  if (state.status === "closed") return fail(`该后续处置已办结（${state.outcome ?? "已关闭"}），不能再变更`);
  if (!ALLOWED[state.kind].includes(event.type)) return fail(`「${state.kind}」不能登记「${EVENT_LABEL[event.type]}」`);
  switch (event.type) {
    case "rectified": {
      const bad = dateIn("复查日期", event.reviewDate, ctx.inspectionDate, "检查日期", ctx.today);
      return bad ? fail(bad) : { ok: true, outcome: "已整改", details: { 复查日期: event.reviewDate }, opens: null };
    }
    case "not_rectified": {
      if (!(NEXT_DISPOSALS as readonly string[]).includes(event.next))
        return fail("下一步处置：请选择立案调查、移送有关部门或移送司法机关");
      const next = event.next as NextDisposal;
      return {
        ok: true,
        outcome: "未整改",
        details: { 下一步处置: next },
        opens: { kind: kindForDisposal(next)!, disposal: next },
      };
    }
    case "case_closed": {
      const caseNo = text(event.caseNo);
      if (caseNo === "" || caseNo.length > 100) return fail("案号：必填，不超过 100 字");
      const bad = dateIn("结案日期", event.closedDate, ctx.openedOn, "立案日期", ctx.today);
      return bad
        ? fail(bad)
        : { ok: true, outcome: "已结案", details: { 案号: caseNo, 结案日期: event.closedDate }, opens: null };
    }
    case "transferred": {
      const receiver = text(event.receiver);
      if (receiver === "" || receiver.length > 100) return fail("接收单位：必填，不超过 100 字");
      const bad = dateIn("移送日期", event.transferDate, ctx.openedOn, "开始日期", ctx.today);
      return bad
        ? fail(bad)
        : { ok: true, outcome: "已移送", details: { 接收单位: receiver, 移送日期: event.transferDate }, opens: null };
    }
    case "void": {
      const reason = text(event.reason);
      if (reason === "") return fail("撤销理由：必填");
      return { ok: true, outcome: "已撤销", details: { 撤销理由: reason }, opens: null };
    }
  }
}

/**
 * A correction (更正) of a result: the chain of follow-ups that the old disposal started stays when the
 * new result keeps the same disposal; otherwise every open one is closed (已撤销) and the new disposal's
 * first follow-up opens.
 */
export function reconcileCorrection(
  oldDisposal: string | null,
  newDisposal: string | null,
  openIds: readonly number[],
): { keep: number[]; close: number[]; open: FollowUpKind | null } {
  if (oldDisposal !== null && oldDisposal === newDisposal) return { keep: [...openIds], close: [], open: null };
  return { keep: [], close: [...openIds], open: kindForDisposal(newDisposal) };
}
