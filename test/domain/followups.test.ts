import { describe, expect, it } from "vitest";
import { WorkCalendar } from "../../src/domain/calendar";
import {
  dueFor,
  FOLLOW_UP_KINDS,
  kindForDisposal,
  reconcileCorrection,
  transition,
  type FollowUpEvent,
  type FollowUpKind,
} from "../../src/domain/followups";

const ctx = { today: "2026-12-10", inspectionDate: "2026-12-01", openedOn: "2026-12-03" };
const open = (kind: FollowUpKind) => ({ kind, status: "open" as const });

const EVENTS: Record<FollowUpEvent["type"], FollowUpEvent> = {
  rectified: { type: "rectified", reviewDate: "2026-12-05" },
  not_rectified: { type: "not_rectified", next: "立案调查" },
  case_closed: { type: "case_closed", caseNo: "交执罚〔2026〕12号", closedDate: "2026-12-09" },
  transferred: { type: "transferred", receiver: "县市场监督管理局", transferDate: "2026-12-08" },
  void: { type: "void", reason: "检查结果已更正" },
};

/** The whole table: which event each kind accepts while open. */
const LEGAL: Record<FollowUpKind, FollowUpEvent["type"][]> = {
  整改复查: ["rectified", "not_rectified", "void"],
  立案调查: ["case_closed", "transferred", "void"],
  移送: ["transferred", "void"],
};

describe("follow-up state machine (后续处置)", () => {
  for (const kind of FOLLOW_UP_KINDS) {
    for (const [type, event] of Object.entries(EVENTS) as [FollowUpEvent["type"], FollowUpEvent][]) {
      const legal = LEGAL[kind].includes(type);
      it(`${kind} + ${type}: ${legal ? "closes it" : "is refused"}`, () => {
        const t = transition(open(kind), event, ctx);
        expect(t.ok).toBe(legal);
        if (!t.ok) expect(t.message).toMatch(/不能登记/);
      });
      it(`a closed ${kind} refuses ${type}`, () => {
        const t = transition({ kind, status: "closed", outcome: "已整改" }, event, ctx);
        expect(t).toEqual({ ok: false, message: "该后续处置已办结（已整改），不能再变更" });
      });
    }
  }

  it("已整改 records the 复查日期 and opens nothing", () => {
    expect(transition(open("整改复查"), EVENTS.rectified, ctx)).toEqual({
      ok: true,
      outcome: "已整改",
      details: { 复查日期: "2026-12-05" },
      opens: null,
    });
  });

  it("复查日期 lies between the 检查日期 and today (early rectification allowed)", () => {
    expect(transition(open("整改复查"), { type: "rectified", reviewDate: "2026-11-30" }, ctx)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/复查日期：不能早于检查日期/),
    });
    expect(transition(open("整改复查"), { type: "rectified", reviewDate: "2026-12-11" }, ctx)).toMatchObject({
      ok: false,
      message: "复查日期：不能晚于今天",
    });
    expect(transition(open("整改复查"), { type: "rectified", reviewDate: "2026-02-30" }, ctx)).toMatchObject({
      ok: false,
    });
    expect(transition(open("整改复查"), { type: "rectified", reviewDate: "2026-12-01" }, ctx).ok).toBe(true);
    expect(transition(open("整改复查"), { type: "rectified", reviewDate: "2026-12-10" }, ctx).ok).toBe(true);
  });

  it("未整改 opens the next follow-up it names, and only a real next step", () => {
    expect(transition(open("整改复查"), { type: "not_rectified", next: "移送司法机关" }, ctx)).toEqual({
      ok: true,
      outcome: "未整改",
      details: { 下一步处置: "移送司法机关" },
      opens: { kind: "移送", disposal: "移送司法机关" },
    });
    expect(transition(open("整改复查"), { type: "not_rectified", next: "立案调查" }, ctx)).toMatchObject({
      opens: { kind: "立案调查" },
    });
    expect(transition(open("整改复查"), { type: "not_rectified", next: "责令限期整改" }, ctx).ok).toBe(false);
  });

  it("立案调查 needs 案号 and a 结案日期 not before it opened; 移送 needs the receiving body and date", () => {
    expect(
      transition(open("立案调查"), { type: "case_closed", caseNo: "  ", closedDate: "2026-12-09" }, ctx),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^案号/) });
    expect(
      transition(open("立案调查"), { type: "case_closed", caseNo: "X1", closedDate: "2026-12-02" }, ctx),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^结案日期：不能早于/) });
    expect(
      transition(open("立案调查"), { type: "case_closed", caseNo: " X1 ", closedDate: "2026-12-03" }, ctx),
    ).toMatchObject({ ok: true, outcome: "已结案", details: { 案号: "X1" } });
    expect(
      transition(open("移送"), { type: "transferred", receiver: "", transferDate: "2026-12-08" }, ctx),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/^接收单位/) });
    expect(
      transition(open("移送"), { type: "transferred", receiver: "县公安局", transferDate: "2026-12-11" }, ctx),
    ).toMatchObject({ ok: false, message: "移送日期：不能晚于今天" });
    expect(transition(open("立案调查"), EVENTS.transferred, ctx)).toMatchObject({ ok: true, outcome: "已移送" });
  });

  it("a void needs a reason", () => {
    expect(transition(open("移送"), { type: "void", reason: " " }, ctx)).toEqual({
      ok: false,
      message: "撤销理由：必填",
    });
  });

  it("maps disposals to follow-up kinds and due dates", () => {
    expect(kindForDisposal("责令限期整改")).toBe("整改复查");
    expect(kindForDisposal("移送有关部门")).toBe("移送");
    expect(kindForDisposal(null)).toBeNull();
    const cal = new WorkCalendar();
    expect(dueFor("整改复查", "2026-12-03", "2026-12-20", cal)).toEqual({ date: "2026-12-20", uncoveredYear: null });
    expect(dueFor("立案调查", "2026-12-03", null, cal)).toEqual({ date: "2027-03-03", uncoveredYear: null });
    expect(dueFor("移送", "2026-12-24", null, cal)).toEqual({ date: "2027-01-07", uncoveredYear: 2027 });
  });

  it("a correction keeps the chain when the disposal stays, else closes what is open and opens the new one", () => {
    expect(reconcileCorrection("责令限期整改", "责令限期整改", [4])).toEqual({ keep: [4], close: [], open: null });
    expect(reconcileCorrection("责令限期整改", "立案调查", [4])).toEqual({ keep: [], close: [4], open: "立案调查" });
    expect(reconcileCorrection("移送有关部门", "移送司法机关", [7])).toEqual({ keep: [], close: [7], open: "移送" });
    expect(reconcileCorrection("立案调查", null, [2, 3])).toEqual({ keep: [], close: [2, 3], open: null });
    expect(reconcileCorrection(null, "责令限期整改", [])).toEqual({ keep: [], close: [], open: "整改复查" });
  });
});
