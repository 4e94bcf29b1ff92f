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
function addSheet(
  wb: ExcelJS.Workbook,
  name: string,
  headers: string[],
  rows: (string | number)[][],
): ExcelJS.Worksheet {
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

/** An instant as the bureau's local date and time, "YYYY-MM-DD HH:mm" in TZ_BUREAU (never UTC). */
function bureauDateTime(iso: string, timeZone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts["year"]}-${parts["month"]}-${parts["day"]} ${parts["hour"]}:${parts["minute"]}`;
}

/**
 * The drawn list for filing and 公示: targets with tickets and current teams, alternates, and the
 * proof. People appear by name (with 执法证号), never by open_id; times are in `timeZone`.
 */
export async function drawWorkbook(db: Db, record: DrawRecord, timeZone: string): Promise<Buffer> {
  const teams = new Map(currentTeams(record).map((t) => [t.targetId, t.inspectorIds]));
  const alternateIds = Object.values(record.selection.alternates).flat();
  const targetIds = [...record.selection.targets.map((t) => t.id), ...alternateIds];
  const names = new Map<string, string>();
  for (let k = 0; k < targetIds.length; k += 500) {
    for (const t of await db.target.findMany({
      where: { creditCode: { in: targetIds.slice(k, k + 500) } },
      select: { creditCode: true, name: true },
    }))
      names.set(t.creditCode, t.name);
  }
  const people = new Map(
    (await db.inspector.findMany({ select: { certNo: true, name: true } })).map((i) => [i.certNo, i.name]),
  );
  const person = (id: string) => `${people.get(id) ?? ""}（${id}）`;
  const witness = await db.inspector.findUnique({
    where: { openId: record.witness.openId },
    select: { name: true, certNo: true },
  });
  const when = (iso: string) => bureauDateTime(iso, timeZone);

  const wb = new (await exceljs()).Workbook();
  addSheet(
    wb,
    "抽取结果",
    ["序号", "风险等级", "统一社会信用代码", "名称", "票号", "检查人员"],
    record.selection.targets.map((t, k) => [
      k + 1,
      t.stratum,
      t.id,
      names.get(t.id) ?? "",
      t.ticket,
      (teams.get(t.id) ?? []).map(person).join("、"),
    ]),
  );
  addSheet(
    wb,
    "候补",
    ["风险等级", "顺位", "统一社会信用代码", "名称"],
    Object.entries(record.selection.alternates).flatMap(([stratum, ids]) =>
      (ids ?? []).map((id, k) => [stratum, k + 1, id, names.get(id) ?? ""]),
    ),
  );
  const replaced = record.amendments.map(
    (a) => `${person(a.inspectorId)} 回避 ${a.targetId}，由 ${person(a.replacementId)} 替换（${when(a.at)}）`,
  );
  addSheet(
    wb,
    "抽取信息",
    ["项目", "内容"],
    [
      ["抽取编号", record.drawId],
      ["任务", `${record.task.code} ${record.task.name}`],
      ["事项编码", record.task.itemCode],
      ["年度", record.task.year],
      ["算法", record.params.algorithm],
      [
        "各风险等级抽取数",
        Object.entries(record.params.perStratum)
          .map(([s, n]) => `${s}:${n}`)
          .join("，"),
      ],
      ["号池哈希 poolHash", record.poolHash],
      ["参数哈希 paramsHash", record.paramsHash],
      ["承诺值 commitment", record.commitment],
      ["承诺时间", when(record.committedAt)],
      ["服务器种子 serverSeed", record.serverSeed],
      ["见证人", witness ? `${witness.name}（${witness.certNo}）` : "（不在名录库中的见证人）"],
      ["见证随机数", record.witness.entropy],
      ["见证时间", when(record.witness.at)],
      ["时区", timeZone],
      ["种子 seed", record.seed],
      ["回避替换", replaced.join("\n") || "无"],
      ["核验方法", "npx drbot verify <抽取记录.json>，或用 Python consistent_sampler 独立复算各风险等级的抽取顺序"],
    ],
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
