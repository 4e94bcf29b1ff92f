import type ExcelJS from "exceljs";
import { currentTeams } from "../../domain/draw/amend";
import type { DrawRecord } from "../../domain/draw/types";
import type { Db } from "../../store/db";
import { KIND_SPECS, type ImportKind } from "../imports/kinds";

// Loaded on first use: exceljs costs ~28 MB and ~0.4 s per thread, and most runs never touch a spreadsheet.
const exceljs = async (): Promise<typeof ExcelJS> => (await import("exceljs")).default;

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } };
const REQUIRED_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFCE4D6" } };

/** A sheet whose first row is a styled header; every cell is text so codes keep their digits. */
function addSheet(wb: ExcelJS.Workbook, name: string, headers: string[], rows: (string | number)[][]): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  ws.addRow(headers).eachCell((c) => {
    c.font = { bold: true };
    c.fill = HEADER_FILL;
  });
  for (const r of rows) ws.addRow(r);
  headers.forEach((h, k) => {
    const longest = Math.max(h.length * 2, ...rows.map((r) => String(r[k] ?? "").length));
    ws.getColumn(k + 1).width = Math.min(80, Math.max(10, longest + 2));
    ws.getColumn(k + 1).numFmt = "@";
  });
  return ws;
}

/** `drbot template <kind>`: the §7 headers (required ones shaded, with a note) and one example row. */
export async function templateWorkbook(kind: ImportKind): Promise<Buffer> {
  const spec = KIND_SPECS[kind];
  const wb = new (await exceljs()).Workbook();
  const ws = addSheet(
    wb,
    spec.title,
    spec.columns.map((c) => c.name),
    [spec.columns.map((c) => c.example)],
  );
  spec.columns.forEach((c, k) => {
    const cell = ws.getRow(1).getCell(k + 1);
    if (c.required) {
      cell.fill = REQUIRED_FILL;
      cell.note = "必填";
    }
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The drawn list for filing and 公示: targets with tickets and current teams, alternates, and the proof. */
export async function drawWorkbook(db: Db, record: DrawRecord): Promise<Buffer> {
  const teams = new Map(currentTeams(record).map((t) => [t.targetId, t.inspectorIds]));
  const alternateIds = Object.values(record.selection.alternates).flat();
  const targetIds = [...record.selection.targets.map((t) => t.id), ...alternateIds];
  const names = new Map<string, string>();
  for (let k = 0; k < targetIds.length; k += 500) {
    for (const t of await db.target.findMany({ where: { creditCode: { in: targetIds.slice(k, k + 500) } }, select: { creditCode: true, name: true } })) names.set(t.creditCode, t.name);
  }
  const people = new Map((await db.inspector.findMany({ select: { certNo: true, name: true } })).map((i) => [i.certNo, i.name]));
  const person = (id: string) => `${people.get(id) ?? ""}（${id}）`;

  const wb = new (await exceljs()).Workbook();
  addSheet(
    wb,
    "抽取结果",
    ["序号", "风险等级", "统一社会信用代码", "名称", "票号", "检查人员"],
    record.selection.targets.map((t, k) => [k + 1, t.stratum, t.id, names.get(t.id) ?? "", t.ticket, (teams.get(t.id) ?? []).map(person).join("、")]),
  );
  addSheet(
    wb,
    "候补",
    ["风险等级", "顺位", "统一社会信用代码", "名称"],
    Object.entries(record.selection.alternates).flatMap(([stratum, ids]) => (ids ?? []).map((id, k) => [stratum, k + 1, id, names.get(id) ?? ""])),
  );
  const replaced = record.amendments.map((a) => `${person(a.inspectorId)} 回避 ${a.targetId}，由 ${person(a.replacementId)} 替换（${a.at}）`);
  addSheet(wb, "抽取信息", ["项目", "内容"], [
    ["抽取编号", record.drawId],
    ["任务", `${record.task.code} ${record.task.name}`],
    ["事项编码", record.task.itemCode],
    ["年度", record.task.year],
    ["算法", record.params.algorithm],
    ["各风险等级抽取数", Object.entries(record.params.perStratum).map(([s, n]) => `${s}:${n}`).join("，")],
    ["号池哈希 poolHash", record.poolHash],
    ["参数哈希 paramsHash", record.paramsHash],
    ["承诺值 commitment", record.commitment],
    ["承诺时间", record.committedAt],
    ["服务器种子 serverSeed", record.serverSeed],
    ["见证人", record.witness.openId],
    ["见证随机数", record.witness.entropy],
    ["见证时间", record.witness.at],
    ["种子 seed", record.seed],
    ["回避替换", replaced.join("\n") || "无"],
    ["核验方法", "npx drbot verify <抽取记录.json>，或用 Python consistent_sampler 独立复算各风险等级的抽取顺序"],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface PublicityRow {
  taskCode: string;
  taskName: string;
  itemName: string;
  creditCode: string;
  targetName: string;
  inspectionDate: string;
  category: string;
  problem: string;
  disposal: string;
  inspectors: string;
  publicityDue: string;
  published: string;
}

/** Confirmed results of a year, one row per inspected target, for 国家企业信用信息公示系统. */
export async function publicityRows(db: Db, year: number): Promise<PublicityRow[]> {
  const tasks = await db.task.findMany({ where: { year }, include: { draws: { where: { status: "revealed" } } } });
  const items = new Map((await db.item.findMany()).map((i) => [i.code, i.name]));
  const people = new Map((await db.inspector.findMany({ select: { certNo: true, name: true } })).map((i) => [i.certNo, i.name]));
  const rows: PublicityRow[] = [];
  for (const task of tasks) {
    for (const draw of task.draws) {
      const results = await db.result.findMany({ where: { drawId: draw.id, current: true, confirmedAt: { not: null } }, orderBy: { targetId: "asc" } });
      const teams = new Map(currentTeams(JSON.parse(draw.record) as DrawRecord).map((t) => [t.targetId, t.inspectorIds]));
      for (const r of results) {
        const target = await db.target.findUnique({ where: { creditCode: r.targetId }, select: { name: true } });
        rows.push({
          taskCode: task.code,
          taskName: task.name,
          itemName: items.get(task.itemCode) ?? task.itemCode,
          creditCode: r.targetId,
          targetName: target?.name ?? "",
          inspectionDate: r.inspectionDate,
          category: r.category,
          problem: r.problem,
          disposal: r.disposal ?? "",
          inspectors: (teams.get(r.targetId) ?? []).map((id) => `${people.get(id) ?? id}（${id}）`).join("、"),
          publicityDue: r.publicityDue ?? "",
          published: r.publishedAt ? "已公示" : "未公示",
        });
      }
    }
  }
  return rows;
}

export async function publicityWorkbook(rows: PublicityRow[]): Promise<Buffer> {
  const wb = new (await exceljs()).Workbook();
  addSheet(
    wb,
    "抽查结果公示",
    ["任务编号", "任务名称", "抽查事项", "统一社会信用代码", "检查对象名称", "检查日期", "检查结果", "问题描述", "后续处置", "检查人员", "公示期限", "公示状态"],
    rows.map((r) => [r.taskCode, r.taskName, r.itemName, r.creditCode, r.targetName, r.inspectionDate, r.category, r.problem, r.disposal, r.inspectors, r.publicityDue, r.published]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
