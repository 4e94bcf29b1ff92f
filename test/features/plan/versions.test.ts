import { beforeEach, describe, expect, it } from "vitest";
import { demoCreditCode, demoCsv } from "../../../src/demo/data";
import type { PlanTask } from "../../../src/domain/plan";
import { importFile } from "../../../src/features/imports/importer";
import { verifyAuditChain } from "../../../src/store/audit";
import type { Db } from "../../../src/store/db";
import { freshDb, loadDemo, NOW } from "../../helpers/db";

const ANNOUNCE = "oc_announce0000000000000000000000";
const importCsv = (db: Db, kind: "items" | "targets" | "plan", text: string, at = NOW) =>
  importFile(db, Buffer.from(text, "utf8"), `${kind}.csv`, { kind, actor: "test", at, directory: null });
const planCards = async (db: Db) =>
  (await db.outboxMessage.findMany({ where: { receiveId: ANNOUNCE }, orderBy: { id: "asc" } })).map(
    (m) => JSON.parse(m.content) as { header: { title: { content: string } } },
  );

let db: Db;
beforeEach(async () => {
  db = freshDb().db;
  await db.setting.create({ data: { key: "announceChatId", value: ANNOUNCE } });
  await loadDemo(db);
});

describe("the plan is public (一公开 of the plan)", () => {
  it("the first import posts the plan card to the announce group and keeps version 1", async () => {
    const v = await db.planVersion.findMany();
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ year: 2026, version: 1, actor: "test" });
    expect((JSON.parse(v[0]!.snapshot) as PlanTask[]).map((t) => t.code)).toEqual([
      "T2026-01",
      "T2026-02",
      "T2026-03",
      "T2026-04",
    ]);
    const cards = await planCards(db);
    expect(cards.map((c) => c.header.title.content)).toEqual(["2026 年度抽查计划公布"]);
    expect(JSON.stringify(cards[0])).toContain("2026年机动车维修经营者双随机抽查");
    expect(JSON.stringify(cards[0])).toContain(v[0]!.hash);
  });

  it("re-importing the same plan keeps the version and posts nothing", async () => {
    await importCsv(db, "plan", demoCsv().plan);
    expect(await db.planVersion.count()).toBe(1);
    expect(await planCards(db)).toHaveLength(1);
  });

  it("a change posts what changed; a task under 3% is accepted with a warning on the card and in the summary", async () => {
    // An item whose pool is large enough that 1% checks fewer than 3% (counts round up to at least 1 per level).
    const items = demoCsv().items.split("\n")[0] + "\nJT-CS-001,测试事项,一般,测试对象,1,实地检查,依据,内容,\n";
    await importCsv(db, "items", items);
    const header = demoCsv().targets.split("\n")[0]!;
    const rows = Array.from({ length: 120 }, (_, k) => {
      const cells = new Map([
        ["统一社会信用代码", demoCreditCode(2000 + k)],
        ["名称", `测试企业${k}`],
        ["对象类型", "测试对象"],
        ["经营状态", "存续"],
        ["风险等级", "中"],
      ]);
      return header
        .split(",")
        .map((h) => cells.get(h) ?? "")
        .join(",");
    });
    await importCsv(db, "targets", [header, ...rows].join("\n") + "\n");

    const plan = demoCsv()
      .plan.replace("2026年道路客运企业安全生产联合抽查", "2026年道路客运企业安全生产联合抽查（调整）")
      .trimEnd();
    const planHeader = plan.split("\n")[0]!.split(",");
    const added = new Map([
      ["任务编号", "T2026-05"],
      ["任务名称", "测试对象抽查"],
      ["年度", "2026"],
      ["事项编码", "JT-CS-001"],
      ["开始日期", "2026-07-01"],
      ["结束日期", "2026-12-15"],
    ]);
    const report = await importCsv(db, "plan", `${plan}\n${planHeader.map((h) => added.get(h) ?? "").join(",")}\n`);

    expect(report.created).toBe(1);
    expect(report.warnings.join("\n")).toMatch(
      /任务 T2026-05：按抽查比例预计抽取 2 户，仅占事项「测试事项」号池 120 户的 1\.67%，低于 3%/,
    );
    expect(await db.task.findUnique({ where: { code: "T2026-05" } })).not.toBeNull(); // accepted

    const v2 = await db.planVersion.findUniqueOrThrow({ where: { year_version: { year: 2026, version: 2 } } });
    expect(JSON.parse(v2.changes)).toMatchObject({
      added: ["T2026-05"],
      removed: [],
      changed: [{ code: "T2026-02", fields: [{ field: "name", label: "任务名称" }] }],
    });
    expect(await db.planVersion.count()).toBe(2); // version 1 is kept

    const cards = await planCards(db);
    expect(cards.map((c) => c.header.title.content)).toEqual([
      "2026 年度抽查计划公布",
      "2026 年度抽查计划变更（第 2 版）",
    ]);
    const text = JSON.stringify(cards[1]);
    expect(text).toContain("本次变更");
    expect(text).toContain("新增任务");
    expect(text).toContain("T2026-05");
    expect(text).toContain("任务名称 2026年道路客运企业安全生产联合抽查 → 2026年道路客运企业安全生产联合抽查（调整）");
    expect(text).toContain("低于 3%");
    expect(await db.auditLog.count({ where: { action: "plan.version" } })).toBe(2);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
