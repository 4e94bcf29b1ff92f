import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dryRun } from "../../../src/features/draw/service";
import { readPool } from "../../../src/features/draw/pool";
import type { Db } from "../../../src/store/db";
import { clock, freshDb, loadDemo } from "../../helpers/db";

let db: Db;
beforeAll(async () => {
  db = freshDb().db;
  await loadDemo(db);
});
afterAll(async () => db.$disconnect());

describe("the draw pool (mutation-proof)", () => {
  it("holds exactly the item's 存续/在业 targets: 注销, 吊销 and 停业 never enter it", async () => {
    const task = await db.task.findFirstOrThrow({ where: { code: "T2026-01" } });
    const item = await db.item.findUniqueOrThrow({ where: { code: task.itemCode } });
    const ofType = await db.target.findMany({
      where: { type: item.targetType },
      select: { creditCode: true, status: true },
    });
    // Make sure every excluded status is present, so the test can't pass vacuously.
    const someOf = (status: string) =>
      ofType.find((t) => t.status !== status && t.status !== "注销" && t.status !== "吊销" && t.status !== "停业")!
        .creditCode;
    for (const status of ["注销", "吊销", "停业"]) {
      if (!ofType.some((t) => t.status === status))
        await db.target.update({ where: { creditCode: someOf(status) }, data: { status } });
    }
    const rows = await db.target.findMany({
      where: { type: item.targetType },
      select: { creditCode: true, status: true },
    });
    const excluded = rows.filter((t) => !["存续", "在业"].includes(t.status)).map((t) => t.creditCode);
    expect(new Set(rows.filter((t) => excluded.includes(t.creditCode)).map((t) => t.status))).toEqual(
      new Set(["注销", "吊销", "停业"]),
    );
    const expected = rows
      .filter((t) => ["存续", "在业"].includes(t.status))
      .map((t) => t.creditCode)
      .sort();

    const { pool } = await readPool(db, "T2026-01");
    expect(pool.targets.map((t) => t.id).sort()).toEqual(expected);
    for (const id of excluded)
      expect(
        pool.targets.some((t) => t.id === id),
        id,
      ).toBe(false);

    // And through the draw itself: not drawn, not even as an alternate.
    const { record } = await dryRun(db, "T2026-01", clock);
    const drawn = [...record.selection.targets.map((t) => t.id), ...Object.values(record.selection.alternates).flat()];
    for (const id of excluded) expect(drawn).not.toContain(id);
    expect(record.pool.targets.map((t) => t.id).sort()).toEqual(expected);
  });
});
