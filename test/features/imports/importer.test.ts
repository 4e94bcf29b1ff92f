import ExcelJS from "exceljs";
import { beforeEach, describe, expect, it } from "vitest";
import { demoCreditCode, demoCsv } from "../../../src/demo/data";
import { isAppError } from "../../../src/domain/errors";
import { templateWorkbook } from "../../../src/features/exports/workbook";
import { importFile, type ImportOptions } from "../../../src/features/imports/importer";
import { detectKind, KIND_SPECS, type ImportKind } from "../../../src/features/imports/kinds";
import { readTable } from "../../../src/features/imports/table";
import { validateTable } from "../../../src/features/imports/validate";
import { verifyAuditChain } from "../../../src/store/audit";
import type { Db } from "../../../src/store/db";
import { freshDb, loadDemo, NOW, tableCounts } from "../../helpers/db";

const opts = (kind?: ImportKind, extra: Partial<ImportOptions> = {}): ImportOptions => ({
  kind,
  actor: "test",
  at: NOW,
  directory: null,
  ...extra,
});
const csvOf = (kind: ImportKind, rows: string[][], headers = KIND_SPECS[kind].columns.map((c) => c.name)) =>
  Buffer.from([headers.join(","), ...rows.map((r) => r.join(","))].join("\r\n"), "utf8");

/** Runs an import that must be refused; returns its row messages and proves nothing was written. */
async function rejected(
  db: Db,
  buffer: Buffer,
  fileName: string,
  kind?: ImportKind,
  extra: Partial<ImportOptions> = {},
): Promise<string[]> {
  const before = await tableCounts(db);
  let error: unknown;
  try {
    await importFile(db, buffer, fileName, opts(kind, extra));
  } catch (e) {
    error = e;
  }
  expect(isAppError(error), String(error)).toBe(true);
  expect(await tableCounts(db)).toEqual(before);
  const e = error as { code: string; message: string; details: { errors?: string[] } };
  return e.details.errors ?? [e.message];
}

let db: Db;
beforeEach(async () => {
  db = freshDb().db;
  await loadDemo(db);
});

describe("importing 一单两库 and the plan", () => {
  it("loads the demo bureau, and a re-import changes nothing", async () => {
    const counts = await tableCounts(db);
    expect(counts).toMatchObject({ items: 4, targets: 126, inspectors: 18, conflicts: 2, holidays: 3, tasks: 4 });
    const again = await importFile(db, Buffer.from(demoCsv().targets), "targets.csv", opts("targets"));
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 126 });
    expect((await tableCounts(db)).targets).toBe(126);
  });

  it("reads .xlsx (template filled in), with numbers and dates typed as Excel cells", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await templateWorkbook("holidays")) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, "日期", "类型", "名称"]);
    ws.getRow(2).values = [new Date(Date.UTC(2027, 1, 6)), "休", "春节"];
    ws.getCell("A2").numFmt = "yyyy-mm-dd"; // a real date cell, as Excel stores a typed date
    ws.getRow(3).values = ["2027-02-07", "班", "春节调休"];
    const report = await importFile(db, Buffer.from(await wb.xlsx.writeBuffer()), "h.xlsx", opts());
    expect(report).toMatchObject({ kind: "holidays", created: 2 });
    expect(await db.holiday.findUnique({ where: { date: "2027-02-06" } })).toMatchObject({ kind: "休", name: "春节" });
  });

  it("reads UTF-8 CSV with a BOM and quoted cells, and detects the kind from the header row", async () => {
    const text =
      '\uFEFF事项编码,抽查事项,抽查类别,检查对象类型,抽查比例(%)\r\nJT-X-9,"检查,带逗号",一般,道路普通货物运输经营者,3.5\r\n';
    const report = await importFile(db, Buffer.from(text), "items.csv", opts());
    expect(report.kind).toBe("items");
    expect(await db.item.findUnique({ where: { code: "JT-X-9" } })).toMatchObject({
      name: "检查,带逗号",
      ratioBp: 350,
    });
  });

  it("keeps a changed target's old content as a revision and audits the import", async () => {
    const code = demoCreditCode(1);
    const before = await db.target.findUniqueOrThrow({ where: { creditCode: code } });
    const rows = [[code, "新名称物流有限公司", before.type, "存续", "高", "", "", "", ""]];
    const report = await importFile(db, csvOf("targets", rows), "t.csv", opts("targets"));
    expect(report).toMatchObject({ created: 0, updated: 1 });
    const after = await db.target.findUniqueOrThrow({ where: { creditCode: code } });
    expect(after).toMatchObject({ name: "新名称物流有限公司", risk: "高", version: 2 });
    const revision = await db.targetRevision.findFirstOrThrow({ where: { creditCode: code } });
    expect(JSON.parse(revision.snapshot)).toMatchObject({ name: before.name, risk: before.risk });
    const audit = await db.auditLog.findFirstOrThrow({ orderBy: { seq: "desc" } });
    expect(audit.action).toBe("import.targets");
    expect(JSON.parse(audit.data)).toMatchObject({ updated: [code], created: [] });
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, brokenAt: null });
  });

  it("resolves a mobile-only row through the contact directory", async () => {
    const directory = { resolveMobiles: async (m: string[]) => new Map(m.map((x) => [x, `ou_from_${x}`])) };
    const rows = [["99000000001", "新同事", "县道路运输管理所", "执法人员", "", "13900000001", "", ""]];
    await importFile(db, csvOf("inspectors", rows), "i.csv", opts("inspectors", { directory }));
    expect(await db.inspector.findUnique({ where: { certNo: "99000000001" } })).toMatchObject({
      openId: "ou_from_13900000001",
      mobile: "13900000001",
    });
  });
});

describe("broken files are refused with every problem and nothing written", () => {
  it("missing headers", async () => {
    const errors = await rejected(db, csvOf("targets", [["x"]], ["名称", "对象类型"]), "t.csv", "targets");
    expect(errors).toEqual([
      "第1行 统一社会信用代码: 缺少该列（表头须与模板一致）",
      "第1行 经营状态: 缺少该列（表头须与模板一致）",
    ]);
  });

  it("bad credit codes, enumerations, and duplicates — all rows, all columns", async () => {
    const good = demoCreditCode(500);
    const rows = [
      ["91330122MA200", "甲公司", "货运", "存续", "中", "", "", "", ""],
      ["91350100M000100Y44", "乙公司", "货运", "营业", "极高", "", "", "", ""],
      [good, "丙公司", "货运", "存续", "", "", "", "", ""],
      [good, "丁公司", "货运", "在业", "低", "", "", "", ""],
      ["", "", "货运", "存续", "", "", "", "", ""],
    ];
    expect(await rejected(db, csvOf("targets", rows), "t.csv", "targets")).toEqual([
      "第2行 统一社会信用代码: 应为18位，实际13位",
      "第3行 统一社会信用代码: 校验位错误（应为 3）",
      "第3行 经营状态: 应为 存续/在业/停业/注销/吊销 之一",
      "第3行 风险等级: 应为 低/中/高 之一",
      "第5行 统一社会信用代码: 与第4行重复",
      "第6行 统一社会信用代码: 必填",
      "第6行 名称: 必填",
    ]);
  });

  it("bad dates and numbers", async () => {
    expect(
      await rejected(
        db,
        csvOf("holidays", [
          ["2027-02-30", "休", ""],
          ["2027/01/01", "放假", ""],
        ]),
        "h.csv",
        "holidays",
      ),
    ).toEqual([
      "第2行 日期: 应为 YYYY-MM-DD 格式的有效日期",
      "第3行 日期: 应为 YYYY-MM-DD 格式的有效日期",
      "第3行 类型: 应为 休/班 之一",
    ]);
    const plan = [["T9", "任务", "26", "JT-HY-001", "2026-05-01", "2026-04-01", "abc", "5.555", "", "1", ""]];
    expect(await rejected(db, csvOf("plan", plan), "p.csv", "plan")).toEqual([
      "第2行 年度: 应为四位年份",
      "第2行 结束日期: 早于开始日期",
      "第2行 低风险比例(%): 「abc」不是 0 到 100 之间、最多两位小数的百分比",
      "第2行 中风险比例(%): 「5.555」不是 0 到 100 之间、最多两位小数的百分比",
      "第2行 每户检查人数: 至少 2 人",
    ]);
    expect(
      await rejected(
        db,
        csvOf(
          "items",
          [["X1", "事项", "特殊", "货运", "0"]],
          ["事项编码", "抽查事项", "抽查类别", "检查对象类型", "抽查比例(%)"],
        ),
        "i.csv",
        "items",
      ),
    ).toEqual([
      "第2行 抽查类别: 应为 一般/重点 之一",
      "第2行 抽查比例(%): 「0」不是 0 到 100 之间、最多两位小数的百分比",
    ]);
  });

  it("references to unknown 执法证号, 统一社会信用代码 and 事项编码", async () => {
    expect(
      await rejected(db, csvOf("conflicts", [["00000000000", demoCreditCode(999), "亲属"]]), "c.csv", "conflicts"),
    ).toEqual([
      "第2行 执法证号: 执法检查人员名录库中没有该执法证号",
      "第2行 统一社会信用代码: 检查对象名录库中没有该统一社会信用代码",
    ]);
    expect(
      await rejected(
        db,
        csvOf("plan", [["T9", "任务", "2026", "NOPE", "2026-05-01", "2026-06-01", "", "", "", "", ""]]),
        "p.csv",
        "plan",
      ),
    ).toEqual(["第2行 事项编码: 抽查事项清单中没有该事项编码（请先导入抽查事项清单）"]);
  });

  it("inspectors: roles, mobiles without a Feishu app, open_ids already taken", async () => {
    const rows = [
      ["99000000001", "甲", "某单位", "执法人员;局长", "", "", "", ""],
      ["99000000002", "乙", "某单位", "执法人员", "", "13900000002", "", ""],
      ["99000000003", "丙", "某单位", "执法人员", "", "", "ou_1eade71eade71eade71eade71eade71e", "在职"],
    ];
    expect(await rejected(db, csvOf("inspectors", rows), "i.csv", "inspectors")).toEqual([
      "第2行 角色: 「局长」不是 执法人员/领导/法制员/管理员 之一",
      "第2行 手机号: 手机号与飞书open_id至少填写一项",
      "第3行 飞书open_id: 未配置飞书应用（LARK_APP_ID/LARK_APP_SECRET），无法通过手机号解析 open_id，请填写飞书open_id",
      "第4行 状态: 应为 在岗/离岗 之一",
    ]);
    const taken = [["99000000003", "丙", "某单位", "执法人员", "", "", "ou_1eade71eade71eade71eade71eade71e", ""]];
    expect(await rejected(db, csvOf("inspectors", taken), "i.csv", "inspectors")).toEqual([
      "第2行 飞书open_id: 该飞书账号已属于执法证号 33012200001",
    ]);
  });

  it("a mobile the directory can't find", async () => {
    const directory = { resolveMobiles: async () => new Map<string, string>() };
    const rows = [["99000000002", "乙", "某单位", "执法人员", "", "13900000002", "", ""]];
    expect(await rejected(db, csvOf("inspectors", rows), "i.csv", "inspectors", { directory })).toEqual([
      "第2行 手机号: 飞书通讯录中找不到手机号 13900000002（或不在应用可用范围内）",
    ]);
  });

  it("wrong formats: .xls, GBK CSV, a corrupt .xlsx, an unrecognisable header row, no data rows", async () => {
    expect((await rejected(db, Buffer.from("x"), "items.xls"))[0]).toMatch(/请另存为 \.xlsx 或 UTF-8 \.csv/);
    const gbk = Buffer.from([0xca, 0xc2, 0xcf, 0xee, 0xb1, 0xe0, 0xc2, 0xeb, 0x0a]); // 事项编码 in GBK
    expect((await rejected(db, gbk, "items.csv"))[0]).toMatch(/不是 UTF-8 编码.*请另存为/);
    expect((await rejected(db, Buffer.from("PK\u0003\u0004 broken"), "items.xlsx"))[0]).toMatch(/无法按 \.xlsx 读取/);
    expect((await rejected(db, Buffer.from("甲,乙\n1,2\n"), "x.csv"))[0]).toMatch(/无法从表头识别名录种类/);
    expect(await rejected(db, csvOf("holidays", []), "h.csv", "holidays")).toEqual(["第2行 日期: 没有数据行"]);
  });
});

describe("templates", () => {
  it("every template's example row passes validation (a kept example row is not an error)", async () => {
    for (const spec of Object.values(KIND_SPECS)) {
      const table = await readTable(await templateWorkbook(spec.kind), "t.xlsx");
      expect(validateTable(spec.kind, table).errors.messages(), spec.kind).toEqual([]);
    }
  });
});

describe("kind detection", () => {
  it("recognises each template's header row", () => {
    for (const spec of Object.values(KIND_SPECS)) expect(detectKind(spec.columns.map((c) => c.name))).toBe(spec.kind);
    expect(detectKind(["执法证号", "姓名", "所属单位", "角色", "手机号"])).toBe("inspectors");
    expect(detectKind(["执法证号", "统一社会信用代码", "原因"])).toBe("conflicts");
  });
});
