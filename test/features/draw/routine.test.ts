import { beforeEach, describe, expect, it } from "vitest";
import { commitmentCard } from "../../../cards/draw";
import { verify } from "../../../src/domain/draw/verify";
import { cancelDraw, commitDraw, dryRun, revealDraw } from "../../../src/features/draw/service";
import { importFile } from "../../../src/features/imports/importer";
import type { Db } from "../../../src/store/db";
import { clock, freshDb, loadDemo, NOW } from "../../helpers/db";

const LEADER = "ou_1eade71eade71eade71eade71eade71e";
const WITNESS = "ou_1e9a11e9a11e9a11e9a11e9a11e9a11e";

let db: Db;
beforeEach(async () => {
  db = freshDb().db;
  await loadDemo(db);
});

async function addTask(code: string, year: number, itemCode: string): Promise<void> {
  const plan = `任务编号,任务名称,年度,事项编码,开始日期,结束日期,低风险比例(%),中风险比例(%),高风险比例(%)\n${code},追加任务,${year},${itemCode},${year}-07-01,${year}-12-15,50,50,50\n`;
  await importFile(db, Buffer.from(plan), "p.csv", { kind: "plan", actor: "test", at: NOW, directory: null });
}

async function drawAndReveal(taskCode: string) {
  const { commitment } = await commitDraw(db, { taskCode, orderedBy: LEADER }, clock);
  return (await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "1-2-3" }, clock)).record;
}

describe("a 一般 item: no target gets the same routine check twice a 年度 (§7)", () => {
  it("targets drawn for the item earlier this year leave the next draw's pool, and the commitment card says how many", async () => {
    const before = (await dryRun(db, "T2026-01", clock)).record.pool.targets.map((t) => t.id);
    const first = await drawAndReveal("T2026-01"); // JT-HY-001 is 一般
    const drawn = first.selection.targets.map((t) => t.id);
    expect(drawn.length).toBeGreaterThan(0);

    await addTask("T2026-05", 2026, "JT-HY-001");
    const { commitment, itemName, excludedDrawn } = await commitDraw(
      db,
      { taskCode: "T2026-05", orderedBy: LEADER },
      clock,
    );
    const pool = commitment.pool.targets.map((t) => t.id);
    expect(excludedDrawn).toBe(drawn.length);
    expect(pool).toEqual(before.filter((id) => !drawn.includes(id)));
    expect(commitment.pool.previousAssignments).toEqual([]); // every pair of the last draw left with its target
    expect(JSON.stringify(commitmentCard(commitment, itemName, LEADER, excludedDrawn))).toContain(
      `已排除**：${drawn.length} 户本年度已因该事项被抽中`,
    );

    const second = (await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "x" }, clock))
      .record;
    expect(second.selection.targets.filter((t) => drawn.includes(t.id))).toEqual([]);
    expect(verify(second).ok).toBe(true);
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "draw.commit", entityId: commitment.drawId } });
    expect(JSON.parse(audit.data)).toMatchObject({ excludedDrawn: drawn.length });
  });

  it("the dry run leaves them out too", async () => {
    const first = await drawAndReveal("T2026-01");
    await addTask("T2026-05", 2026, "JT-HY-001");
    const { record, excludedDrawn } = await dryRun(db, "T2026-05", clock);
    expect(excludedDrawn).toBe(first.selection.targets.length);
    const left = new Set(record.pool.targets.map((t) => t.id));
    for (const t of first.selection.targets) expect(left.has(t.id)).toBe(false);
  });

  it("another 年度, a 重点 item, or a draw that was never revealed excludes nothing", async () => {
    const hy = await drawAndReveal("T2026-01");
    await addTask("T2027-01", 2027, "JT-HY-001");
    const nextYear = await dryRun(db, "T2027-01", clock);
    expect(nextYear.excludedDrawn).toBe(0);
    expect(nextYear.record.pool.targets.map((t) => t.id)).toEqual(
      expect.arrayContaining(hy.selection.targets.map((t) => t.id)),
    );

    const ky = await drawAndReveal("T2026-02"); // JT-KY-001 is 重点
    await addTask("T2026-06", 2026, "JT-KY-001");
    const key = await dryRun(db, "T2026-06", clock);
    expect(key.excludedDrawn).toBe(0);
    expect(key.record.pool.targets.map((t) => t.id)).toEqual(
      expect.arrayContaining(ky.selection.targets.map((t) => t.id)),
    );

    const { commitment } = await commitDraw(db, { taskCode: "T2026-03", orderedBy: LEADER }, clock); // JT-WX-001, 一般
    await cancelDraw(db, { drawId: commitment.drawId, by: LEADER, reason: "测试" }, clock);
    await addTask("T2026-07", 2026, "JT-WX-001");
    expect((await dryRun(db, "T2026-07", clock)).excludedDrawn).toBe(0);
  });
});
