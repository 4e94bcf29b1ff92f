import { describe, expect, it } from "vitest";
import * as actions from "../../cards/actions";
import * as draw from "../../cards/draw";
import * as followups from "../../cards/followups";
import * as jobs from "../../cards/jobs";
import * as kit from "../../cards/kit";
import * as plan from "../../cards/plan";
import * as publicity from "../../cards/publicity";
import * as stats from "../../cards/stats";
import * as tasks from "../../cards/tasks";
import * as withdrawal from "../../cards/withdrawal";
import type { Card, Element } from "../../cards/kit";
import { DISPOSALS, RESULT_CATEGORIES, RESULT_FIELDS } from "../../src/domain/results";
import { SERVER_SEED } from "../helpers/pools";
import { lintCard } from "./lint";
import {
  long,
  code,
  wrap,
  result,
  TASK_STATES,
  drawRecord,
  followUp,
  FOLLOW_UP_KINDS,
  statsFixture,
  planTask,
  dueRow,
  digestLine,
  reminderSections,
} from "./fixtures";

/*
 * Every exported card builder in cards/, run with representative inputs (long names, long lists,
 * every state), and every output checked by the card linter. A new export must be added below
 * (a case, or a line in NOT_BUILDERS), or the first test fails.
 */

const CASES: Record<string, () => Card[]> = {
  "kit.card": () => [kit.card("标题", "blue", [kit.md("正文")]), kit.card("标题", "red", [], "副标题")],
  "kit.notice": () => [kit.notice("未能完成", long("原因说明", 50), "red")],
  "kit.md": () => [wrap([kit.md(kit.esc("*_~`[]<>#|"))])],
  "kit.hr": () => [wrap([kit.md("a"), kit.hr(), kit.md(kit.at("ou_x"))])],
  "kit.button": () => [
    wrap([
      kit.button("b1", "打开", { action: actions.ACTION.task.open, assignmentId: 1 }),
      kit.button("b2", "确认", { action: actions.ACTION.withdrawal.confirm, certNo: "C1" }, "primary_filled", {
        title: "确认",
        text: "确定？",
      }),
    ]),
  ],
  "kit.submitButton": () => [
    wrap([kit.form("f", [kit.submitButton("s", "提交", { action: actions.ACTION.result.submit, assignmentId: 1 })])]),
  ],
  "kit.form": () => CASES["kit.submitButton"]!(),
  "kit.reasonForm": () => [
    wrap([
      kit.reasonForm({
        name: "r1",
        placeholder: "理由",
        button: "r1_btn",
        text: "驳回",
        value: { action: actions.ACTION.recusal.reject, requestId: 1 },
        confirm: { title: "驳回", text: "确定？" },
      }),
      kit.reasonForm({
        name: "r2",
        placeholder: "理由",
        button: "r2_btn",
        text: "有异议",
        value: { action: actions.ACTION.result.dispute, resultId: 1 },
        field: "reason_r2",
        maxLength: 100,
      }),
    ]),
  ],
  "kit.pagedText": () =>
    kit.pagedText(
      "2026 年度抽查计划",
      "blue",
      Array.from({ length: 3000 }, (_, k) => `**T${k}** ${long("某县道路运输经营者", 4)}`),
    ),
  "kit.pagedCards": () =>
    kit.pagedCards(
      "待办",
      "blue",
      Array.from({ length: 250 }, (_, k) => [
        kit.md(`第 ${k} 条`),
        kit.button(`b${k}`, "打开", { action: actions.ACTION.task.open, assignmentId: k + 1 }),
      ]),
      [kit.md("说明")],
    ),

  "tasks.taskCard": () => TASK_STATES.flatMap((v) => [tasks.taskCard(v), tasks.taskCard(v, { withForm: true })]),
  "tasks.resultForm": () => [wrap([tasks.resultForm(11)])],
  "tasks.recusalApprovalCard": () => {
    const o = {
      requestId: 3,
      taskCode: "T2026-01",
      targetName: long("某某物流有限公司"),
      creditCode: code(1),
      inspectorName: "王五",
      inspectorOpenId: "ou_wangwu",
      reason: long("曾在该企业任职，"),
    };
    return [
      tasks.recusalApprovalCard(o),
      tasks.recusalApprovalCard({ ...o, inspectorOpenId: null }),
      tasks.recusalApprovalCard({ ...o, decided: { approved: true, by: "ou_leader", note: long("已批准。") } }),
      tasks.recusalApprovalCard({ ...o, decided: { approved: false, by: "ou_leader", note: "已驳回：理由不足" } }),
    ];
  },
  "tasks.confirmationCard": () => {
    const o = {
      resultId: 7,
      taskCode: "T2026-01",
      targetName: long("某某物流"),
      creditCode: code(1),
      result: result(),
    };
    return [
      tasks.confirmationCard(o),
      tasks.confirmationCard({ ...o, done: "已确认" }),
      tasks.confirmationCard({ ...o, done: "有异议" }),
    ];
  },
  "tasks.correctionCard": () => {
    const o = { resultId: 7, taskCode: "T2026-01", targetName: long("某某物流"), creditCode: code(1) };
    return [
      tasks.correctionCard({ ...o, result: result({ status: "confirmed" }) }),
      tasks.correctionCard({
        ...o,
        result: result({
          status: "confirmed",
          category: "未发现问题",
          problem: "",
          disposal: null,
          rectifyDeadline: null,
        }),
      }),
    ];
  },

  "withdrawal.withdrawalCard": () => {
    const lines = Array.from({ length: 30 }, (_, k) => ({
      taskCode: "T2026-01",
      targetName: long(`某某物流有限公司${k}`, 2),
      creditCode: code(k),
    }));
    return [
      withdrawal.withdrawalCard({ certNo: "C001", name: "王五", lines, more: 12 }),
      withdrawal.withdrawalCard({
        certNo: "C001",
        name: "王五",
        lines: lines.map((l) => ({ ...l, replacementName: "赵六" })),
        done: { by: "ou_leader" },
      }),
      withdrawal.withdrawalCard({ certNo: "C001", name: "王五", lines: [], done: { by: "ou_leader" } }),
    ];
  },

  "draw.commitmentCard": () => {
    const { c } = drawRecord(2000, 200);
    return [draw.commitmentCard(c, long("事项"), "ou_leader"), draw.commitmentCard(c, "事项", "ou_leader", 35)];
  },
  "draw.revealedCard": () => [draw.revealedCard(drawRecord(50, 5).r, long("事项"))],
  "draw.cancelledCard": () => {
    const { c } = drawRecord(50, 5);
    return [
      draw.cancelledCard(c, "ou_leader", long("号池数据有误"), SERVER_SEED),
      draw.cancelledCard(c, "drbot 命令行"),
    ];
  },
  "draw.announcementCard": () =>
    [drawRecord(30, 5), drawRecord(3000, 600)].map(({ r, names, teams }) => draw.announcementCard(r, names, teams)),

  "followups.followUpCard": () =>
    FOLLOW_UP_KINDS.flatMap((kind) => [
      followups.followUpCard(followUp(kind)),
      followups.followUpCard(followUp(kind, { dueShown: null, dueState: null, problem: "" })),
      followups.followUpCard(
        followUp(kind, {
          status: "closed",
          outcome: "已结案",
          details: { 案号: "交法〔2026〕1号", 结案日期: "2026-12-01" },
        }),
      ),
      followups.followUpCard(followUp(kind, { status: "closed", outcome: "已撤销" })),
    ]),
  "followups.followUpForms": () =>
    FOLLOW_UP_KINDS.map((kind, k) =>
      wrap([
        ...followups.followUpForms(followUp(kind, { id: k + 1 })),
        ...followups.followUpForms(followUp(kind, { id: k + 10 }), "reminders"),
      ]),
    ),

  "jobs.digestCard": () => {
    const headings = ["整改复查", "立案调查", "移送", "公示"];
    return [
      jobs.digestCard("2026-12-02", headings, []),
      jobs.digestCard(
        "2026-12-02",
        headings,
        headings.flatMap((h) => Array.from({ length: 100 }, (_, k) => digestLine(k, h))),
      ),
    ];
  },
  "jobs.remindersCard": () => [
    jobs.remindersCard("2026-12-02", reminderSections(1)),
    jobs.remindersCard("2026-12-02", reminderSections(40)),
  ],
  "jobs.summaryCard": () => [
    jobs.summaryCard("2026-12-07", 2026, [], 0),
    jobs.summaryCard(
      "2026-12-07",
      2026,
      Array.from({ length: 60 }, (_, k) => ({
        code: `T2026-${k}`,
        name: long("抽查任务", 3),
        state: "进行中",
        drawn: 10,
        submitted: 8,
        confirmed: 6,
        published: 4,
        overdue: 1,
        endDate: "2026-12-15",
      })),
      3,
    ),
  ],
  "jobs.openTaskActions": () => [wrap(jobs.openTaskActions(1))],
  "jobs.confirmResultActions": () => [
    wrap([...jobs.confirmResultActions(1, "C001"), ...jobs.confirmResultActions(2, "C001")]),
  ],
  "jobs.decideRecusalActions": () => [wrap([...jobs.decideRecusalActions(1), ...jobs.decideRecusalActions(2)])],

  "plan.planCard": () => [
    plan.planCard({
      year: 2026,
      version: 1,
      hash: "a".repeat(64),
      tasks: Array.from({ length: 10 }, (_, k) => planTask(k, k === 3)),
      changes: { added: [], removed: [], changed: [] },
      bureauName: "某县交通运输局",
    }),
    plan.planCard({
      year: 2026,
      version: 2,
      hash: "b".repeat(64),
      tasks: Array.from({ length: 400 }, (_, k) => planTask(k)),
      changes: {
        added: ["T2026-401"],
        removed: ["T2026-000"],
        changed: [
          { code: "T2026-001", fields: [{ field: "ratioLowBp", label: "低风险比例", before: 300, after: null }] },
        ],
      },
    }),
  ],

  "publicity.publicityCard": () => {
    const rows = Array.from({ length: 3 * publicity.PUBLICITY_PAGE_SIZE + 1 }, (_, k) => dueRow(k + 1));
    const view = { rows, today: "2026-12-02", asOf: "2026-12-02T02:00:00.000Z", bureauName: "某县交通运输局" };
    return [
      ...[0, 1, 3, 99].map((page) => publicity.publicityCard({ ...view, page })),
      publicity.publicityCard({ ...view, rows: rows.slice(0, 2), page: 0 }),
      publicity.publicityCard({ ...view, rows: [], page: 0 }),
    ];
  },

  "stats.statsCard": () => [stats.statsCard(statsFixture(0, 0)), stats.statsCard(statsFixture(40, 120))],
  "stats.chart": () => [wrap([stats.chart({ type: "bar", data: [] })])],
  "stats.coverageChart": () => [wrap([stats.coverageChart(statsFixture(5, 5))])],
  "stats.loadChart": () => [wrap([stats.loadChart(statsFixture(5, 5))])],
};

/** Exports that build no card or card part (text, constants, checks). */
const NOT_BUILDERS = new Set([
  "actions.isActionName",
  "kit.esc",
  "kit.at",
  "kit.plain",
  "kit.option",
  "kit.cardBytes",
  "tasks.resultText",
  "followups.followUpSummary",
  "plan.floorWarning",
]);

const MODULES = { actions, draw, followups, jobs, kit, plan, publicity, stats, tasks, withdrawal };

describe("every card builder in cards/ passes the card linter", () => {
  it("every exported function is covered here (a new builder gets a case)", () => {
    const exported = Object.entries(MODULES).flatMap(([m, mod]) =>
      Object.entries(mod)
        .filter(([, v]) => typeof v === "function")
        .map(([name]) => `${m}.${name}`),
    );
    expect(exported.filter((e) => !(e in CASES) && !NOT_BUILDERS.has(e))).toEqual([]);
  });

  for (const [name, build] of Object.entries(CASES)) {
    it(name, () => {
      const cards = build();
      expect(cards.length).toBeGreaterThan(0);
      for (const [k, c] of cards.entries()) expect(lintCard(c), `${name} #${k}`).toEqual([]);
    });
  }

  it("the result form has one component per RESULT_FIELDS entry, named as the server reads them", () => {
    for (const form of [
      tasks.resultForm(1),
      tasks.correctionCard({ resultId: 1, taskCode: "T", targetName: "甲", creditCode: code(1), result: result() }).body
        .elements[1]!,
    ]) {
      const names = (form["elements"] as Element[]).map((e) => e["name"]);
      expect(names.slice(0, Object.keys(RESULT_FIELDS).length)).toEqual(Object.keys(RESULT_FIELDS));
    }
    const json = JSON.stringify(tasks.resultForm(1));
    for (const v of [...RESULT_CATEGORIES, ...DISPOSALS]) expect(json).toContain(`"value":"${v}"`);
  });
});
