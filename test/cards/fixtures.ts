/** Representative inputs for the card builders: long names, long lists, every state. */
import * as draw from "../../cards/draw";
import * as followups from "../../cards/followups";
import * as jobs from "../../cards/jobs";
import * as kit from "../../cards/kit";
import * as plan from "../../cards/plan";
import * as publicity from "../../cards/publicity";
import * as tasks from "../../cards/tasks";
import type { Element } from "../../cards/kit";
import { freeze, reveal } from "../../src/domain/draw/record";
import type { Stats } from "../../src/domain/stats";
import { inspectors, params, SERVER_SEED, targets } from "../helpers/pools";

export const long = (s: string, n = 8) => s.repeat(n);
export const code = (k: number) => `91330122MA2${String(k).padStart(6, "0")}X`;
export const wrap = (els: Element[]) => kit.card("测试", "blue", els);

export const result = (over: Partial<tasks.ResultView> = {}): tasks.ResultView => ({
  id: 7,
  inspectionDate: "2026-11-20",
  category: "发现问题待后续处理",
  problem: long("车辆技术档案不全，"),
  disposal: "责令限期整改",
  rectifyDeadline: "2026-12-20",
  remark: long("已当场告知。"),
  status: "submitted",
  submittedByName: "王五",
  publicityDue: null,
  disputeReason: null,
  ...over,
});

export const task = (over: Partial<tasks.TaskView> = {}): tasks.TaskView => ({
  assignmentId: 11,
  taskCode: "T2026-01",
  taskName: long("道路货运经营者双随机抽查"),
  itemName: long("道路运输车辆技术管理"),
  basis: long("《道路运输条例》第三十条；"),
  content: long("检查车辆技术档案、维护记录；"),
  deadline: "2026-12-15",
  target: {
    creditCode: code(1),
    name: long("某某物流有限公司"),
    address: long("某县某路1号"),
    legalRep: "张三",
    phone: "13900000001",
  },
  partners: ["李四", "赵六"],
  state: "assigned",
  ...over,
});

export const TASK_STATES: tasks.TaskView[] = [
  task(),
  task({ target: { ...task().target, phone: "" } }),
  task({ state: "accepted" }),
  task({ state: "accepted", result: result({ status: "disputed", disputeReason: "日期有误" }) }),
  task({ state: "accepted", result: result() }),
  task({
    state: "accepted",
    result: result({ status: "confirmed", publicityDue: "2027-01-05", publicityDueUncovered: 2027 }),
  }),
  task({
    state: "accepted",
    result: result({ status: "confirmed", version: 3, correctionReason: "补正", correctedByName: "法制员" }),
  }),
  task({ state: "recusal_requested" }),
  task({ state: "recused" }),
  task({ state: "withdrawn" }),
];

export function drawRecord(nTargets: number, perStratum: number) {
  const pool = {
    targets: targets("9133", nTargets),
    inspectors: inspectors(40, ["U1", "U2"]),
    conflicts: [],
    previousAssignments: [],
  };
  const c = freeze({
    drawId: "T2026-01-1",
    task: { code: "T2026-01", name: long("抽查任务"), itemCode: "JT-HY-001", year: 2026 },
    pool,
    params: params({ 中: perStratum }),
    serverSeed: SERVER_SEED,
    committedAt: "2026-11-25T08:00:00.000Z",
  });
  const r = reveal(c, SERVER_SEED, { openId: "ou_witness", entropy: "3-6-1-4-2", at: "2026-11-25T08:01:00.000Z" });
  const names: draw.DrawNames = {
    itemName: long("道路运输车辆技术管理"),
    targets: new Map(pool.targets.map((t) => [t.id, { name: long(`某某物流有限公司${t.id}`, 3) }])),
    inspectors: new Map(pool.inspectors.map((i) => [i.id, { name: `执法人员${i.id}` }])),
  };
  const teams = new Map(r.selection.assignments.map((a) => [a.targetId, a.inspectorIds]));
  return { c, r, names, teams };
}

export const followUp = (kind: string, over: Partial<followups.FollowUpView> = {}): followups.FollowUpView => ({
  id: 5,
  kind,
  status: "open",
  outcome: null,
  details: {},
  taskCode: "T2026-01",
  targetName: long("某某物流有限公司"),
  creditCode: code(1),
  problem: long("车辆技术档案不全，"),
  disposal: kind,
  dueShown: "2026-12-20",
  dueState: "还剩3个工作日",
  owners: ["王五", "李四"],
  ...over,
});
export const FOLLOW_UP_KINDS = ["整改复查", "立案调查", "移送"];

export const statsFixture = (items: number, people: number): Stats => {
  const coverage = { risk: "中", poolSize: 100, drawn: 4, coverageBp: 400 };
  return {
    year: 2026,
    today: "2026-12-02",
    items: Array.from({ length: items }, (_, k) => ({
      itemCode: `JT-${k}`,
      itemName: long(`事项${k}`, 3),
      category: "一般",
      ratioBp: 500,
      poolSize: 100,
      drawn: 4,
      coverageBp: 400,
      meetsRatio: k % 2 === 0,
      meetsMinimum: true,
      byRisk: [coverage],
    })),
    byRisk: [coverage],
    confirmed: 4,
    publicity: { onTime: 1, published: 2, overdue: 1, pending: 1, rateBp: 3333 },
    publicityByTask: Array.from({ length: items }, (_, k) => ({
      taskCode: `T2026-${k}`,
      taskName: long("抽查任务", 3),
      onTime: 1,
      published: 2,
      overdue: 1,
      pending: 0,
      rateBp: 5000,
    })),
    published: 2,
    publicityRateBp: 3333,
    overduePublicity: 1,
    problems: 1,
    problemRateBp: 2500,
    openFollowUps: 1,
    overdueFollowUps: 0,
    load: {
      inspectors: people,
      min: 1,
      max: 5,
      total: people * 3,
      perInspector: Array.from({ length: people }, (_, k) => ({ certNo: String(k), name: `执法人员${k}`, count: 3 })),
    },
  } as Stats;
};

export const planTask = (k: number, below = false): plan.PlanCardTask => ({
  code: `T2026-${String(k).padStart(3, "0")}`,
  name: long("道路货运经营者双随机抽查", 2),
  itemCode: "JT-HY-001",
  itemName: "道路运输车辆技术管理",
  itemBp: 500,
  startDate: "2026-03-01",
  endDate: "2026-12-15",
  ratioLowBp: 300,
  ratioMidBp: null,
  ratioHighBp: 1000,
  inspectorsPerTarget: 2,
  jointUnits: k % 3 === 0 ? "市场监管局;消防救援大队" : "",
  coverage: { poolSize: 200, expected: below ? 2 : 10, coverageBp: below ? 100 : 500, belowFloor: below },
});

export const dueRow = (k: number): publicity.PublicityListView["rows"][number] => ({
  resultId: k,
  drawId: "T2026-01-1",
  taskCode: "T2026-01",
  taskName: long("道路货运经营者双随机抽查", 2),
  creditCode: code(k),
  targetName: long(`某某物流有限公司${k}`, 2),
  category: "发现问题待后续处理",
  corrected: k % 5 === 0,
  confirmedOn: "2026-11-01",
  due: k % 7 === 0 ? null : "2026-11-29",
  daysLeft: k % 7 === 0 ? null : k % 3 === 0 ? -2 : k % 3,
});

export const digestLine = (k: number, kind: string): jobs.DigestLine => ({
  kind,
  targetName: long(`某某物流有限公司${k}`, 2),
  creditCode: code(k),
  taskCode: "T2026-01",
  owners: ["王五", "李四"],
  due: "2026-12-01",
  uncoveredYear: k % 4 === 0 ? 2027 : null,
  state: k % 2 ? { overdue: k } : { left: k % 4 },
});

export const reminderSections = (n: number): jobs.ReminderSection[] => [
  {
    title: "待录入检查结果",
    items: Array.from({ length: n }, (_, k) => ({
      text: long(`第${k}户｜`, 10),
      actions: jobs.openTaskActions(k + 1),
    })),
  },
  {
    title: "待您确认的检查结果",
    items: Array.from({ length: n }, (_, k) => ({
      text: `结果${k}`,
      actions: jobs.confirmResultActions(k + 1, "C001"),
    })),
  },
  {
    title: "整改复查",
    items: Array.from({ length: n }, (_, k) => {
      const v = followUp(FOLLOW_UP_KINDS[k % 3]!, { id: k + 1 });
      return { text: followups.followUpSummary(v), actions: followups.followUpForms(v, "reminders") };
    }),
  },
  {
    title: "待审批的回避申请",
    items: Array.from({ length: n }, (_, k) => ({ text: `申请${k}`, actions: jobs.decideRecusalActions(k + 1) })),
  },
];

/** Each exported builder → the cards it builds from representative inputs. */
