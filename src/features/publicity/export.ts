import type ExcelJS from "exceljs";
import { publicityState } from "../../domain/publicity";
import type { DbOrTx } from "../../store/db";

/** The §5 columns, in this order: the fields the national system's upload needs. */
export const PUBLICITY_COLUMNS = [
  "统一社会信用代码",
  "企业名称",
  "抽查任务编号",
  "抽查任务名称",
  "抽查事项",
  "检查实施机关",
  "检查日期",
  "检查结果",
  "后续处置",
  "公示状态",
  "公示日期",
] as const;

export type PublicityRow = Record<(typeof PUBLICITY_COLUMNS)[number], string>;

/** Said on stderr / in the reply when BUREAU_NAME is unset. */
export const NO_BUREAU_NAME = "未设置 BUREAU_NAME（检查实施机关），导出表中该列为空；请在环境变量中设置后重新导出。";

/**
 * Confirmed results of a year for 国家企业信用信息公示系统, one row per inspected target. Every date
 * is a bureau date (YYYY-MM-DD); no person appears, and never by open_id.
 */
export async function publicityRows(
  tx: DbOrTx,
  o: { year: number; today: string; bureauName: string | undefined },
): Promise<PublicityRow[]> {
  const tasks = await tx.task.findMany({
    where: { year: o.year },
    orderBy: { code: "asc" },
    include: { draws: { where: { status: "revealed" }, select: { id: true } } },
  });
  const items = new Map((await tx.item.findMany({ select: { code: true, name: true } })).map((i) => [i.code, i.name]));
  const rows: PublicityRow[] = [];
  for (const task of tasks) {
    const drawIds = task.draws.map((d) => d.id);
    if (drawIds.length === 0) continue;
    const results = await tx.result.findMany({
      where: { drawId: { in: drawIds }, current: true, status: "confirmed", confirmedAt: { not: null } },
      orderBy: { targetId: "asc" },
    });
    const names = new Map(
      (
        await tx.target.findMany({
          where: { creditCode: { in: results.map((r) => r.targetId) } },
          select: { creditCode: true, name: true },
        })
      ).map((t) => [t.creditCode, t.name]),
    );
    for (const r of results) {
      rows.push({
        统一社会信用代码: r.targetId,
        企业名称: names.get(r.targetId) ?? "",
        抽查任务编号: task.code,
        抽查任务名称: task.name,
        抽查事项: items.get(task.itemCode) ?? task.itemCode,
        检查实施机关: o.bureauName ?? "",
        检查日期: r.inspectionDate,
        检查结果: r.category,
        后续处置: r.disposal ?? "无",
        公示状态: publicityState({ due: r.publicityDue, publishedOn: r.publishedOn }, o.today),
        公示日期: r.publishedOn ?? "",
      });
    }
  }
  return rows;
}

/** The rows as an .xlsx (every cell text, so credit codes and dates stay as written). */
export async function publicityWorkbook(rows: PublicityRow[]): Promise<Buffer> {
  // Loaded on first use: exceljs costs ~22 MB per thread, and the running bot rarely builds this file.
  const excel: typeof ExcelJS = (await import("exceljs")).default;
  const wb = new excel.Workbook();
  const ws = wb.addWorksheet("抽查结果公示", { views: [{ state: "frozen", ySplit: 1 }] });
  ws.addRow([...PUBLICITY_COLUMNS]).eachCell((c) => {
    c.font = { bold: true };
  });
  for (const r of rows) ws.addRow(PUBLICITY_COLUMNS.map((c) => r[c]));
  PUBLICITY_COLUMNS.forEach((h, k) => {
    const col = ws.getColumn(k + 1);
    col.numFmt = "@";
    col.width = Math.min(60, Math.max(12, h.length * 2 + 2, ...rows.map((r) => r[h].length + 2)));
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
