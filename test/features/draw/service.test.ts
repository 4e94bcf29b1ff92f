import { beforeEach, describe, expect, it } from "vitest";
import { demoCreditCode } from "../../../src/demo/data";
import { sha256Hex } from "../../../src/domain/canonical";
import { currentTeams } from "../../../src/domain/draw/amend";
import type { Commitment } from "../../../src/domain/draw/types";
import { verify } from "../../../src/domain/draw/verify";
import {
  cancelDraw,
  commitDraw,
  dryRun,
  findDraw,
  publishedRecord,
  recuse,
  revealDraw,
} from "../../../src/features/draw/service";
import { importFile } from "../../../src/features/imports/importer";
import { verifyAuditChain } from "../../../src/store/audit";
import type { Db } from "../../../src/store/db";
import { clock, freshDb, loadDemo, NOW, tableCounts } from "../../helpers/db";

const LEADER = "ou_1eade71eade71eade71eade71eade71e";
const WITNESS = "ou_1e9a11e9a11e9a11e9a11e9a11e9a11e";

async function refusal(db: Db, run: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  const before = await tableCounts(db);
  const error = await run().then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(error, "expected a refusal").not.toBeNull();
  expect(await tableCounts(db)).toEqual(before);
  return error!;
}

let db: Db;
beforeEach(async () => {
  db = freshDb().db;
  await loadDemo(db);
});

describe("a draw's life: commit → witness → reveal", () => {
  it("commits without revealing anything, then reveals a record that verifies", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER, chatId: "oc_x" }, clock);
    const row = await db.draw.findUniqueOrThrow({ where: { id: commitment.drawId } });
    expect(row).toMatchObject({ status: "committed", attempt: 1, orderedBy: LEADER, chatId: "oc_x" });
    expect(JSON.parse(row.record)).not.toHaveProperty("serverSeed"); // the stored commitment keeps the seed secret
    expect(await db.assignment.count()).toBe(0);
    expect(commitment.params.perStratum).toEqual({ 低: 1, 中: 2, 高: 3 }); // 5% of 低/中, plan's 30% of 高

    const { record, alreadyRevealed } = await revealDraw(
      db,
      { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "4-2-6-1-3" },
      clock,
    );
    expect(alreadyRevealed).toBe(false);
    expect(sha256Hex(record.serverSeed)).toBe(commitment.commitment);
    expect(record.poolHash).toBe(commitment.poolHash);
    expect(verify(record).ok).toBe(true);
    expect(await db.assignment.count()).toBe(record.selection.targets.length * 2);

    const again = await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "other" }, clock);
    expect(again).toEqual({ record, alreadyRevealed: true }); // a double click draws nothing new
    expect(await db.assignment.count()).toBe(record.selection.targets.length * 2);

    const actions = (await db.auditLog.findMany({ orderBy: { seq: "asc" } })).map((a) => a.action);
    expect(actions.slice(-2)).toEqual(["draw.commit", "draw.reveal"]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("refuses a second draw while one is committed or done, and a witness who ordered the draw", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock);
    expect(
      (await refusal(db, () => commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock))).message,
    ).toMatch(/已有待见证的抽取/);
    expect(
      (
        await refusal(db, () =>
          revealDraw(db, { drawId: commitment.drawId, witnessOpenId: LEADER, entropy: "1" }, clock),
        )
      ).code,
    ).toBe("WITNESS_IS_ORDERER");
    expect(
      (
        await refusal(db, () =>
          revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "  " }, clock),
        )
      ).code,
    ).toBe("EMPTY_ENTROPY");
    await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "1" }, clock);
    expect(
      (await refusal(db, () => commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock))).message,
    ).toMatch(/已完成抽取.*不能重复抽取/);
    expect(
      (await refusal(db, () => cancelDraw(db, { drawId: commitment.drawId, by: LEADER, reason: "x" }, clock))).code,
    ).toBe("DRAW_REVEALED");
  });

  it("a cancelled attempt stays visible and a new attempt gets a new id", async () => {
    const first = await commitDraw(db, { taskCode: "T2026-03", orderedBy: LEADER }, clock);
    await cancelDraw(db, { drawId: first.commitment.drawId, by: LEADER, reason: "见证人未到场" }, clock);
    const second = await commitDraw(db, { taskCode: "T2026-03", orderedBy: LEADER }, clock);
    expect(second.commitment.drawId).toBe("T2026-03-2");
    expect(
      (await db.draw.findMany({ where: { taskCode: "T2026-03" }, orderBy: { attempt: "asc" } })).map((d) => d.status),
    ).toEqual(["cancelled", "committed"]);
    const cancelAudit = await db.auditLog.findFirstOrThrow({ where: { action: "draw.cancel" } });
    expect(sha256Hex(JSON.parse(cancelAudit.data).serverSeed)).toBe(first.commitment.commitment); // the honest seed is disclosed
    expect(
      (
        await refusal(db, () =>
          revealDraw(db, { drawId: first.commitment.drawId, witnessOpenId: WITNESS, entropy: "1" }, clock),
        )
      ).code,
    ).toBe("DRAW_CANCELLED");
  });

  it("refuses an infeasible draw before anything is committed", async () => {
    // Make every 危险货物 specialist conflicted with one 危险货物 carrier: T2026-04 can't staff it.
    const specialists = (await db.inspector.findMany()).filter(
      (i) => i.specialties.includes("危险货物") && i.roles.includes("执法人员"),
    );
    const target = (
      await db.target.findFirstOrThrow({ where: { type: "道路危险货物运输经营者", status: { in: ["存续", "在业"] } } })
    ).creditCode;
    const csv = ["执法证号,统一社会信用代码,原因", ...specialists.map((s) => `${s.certNo},${target},测试`)].join("\n");
    await importFile(db, Buffer.from(csv), "c.csv", { kind: "conflicts", actor: "test", at: NOW, directory: null });
    const e = await refusal(db, () => commitDraw(db, { taskCode: "T2026-04", orderedBy: LEADER }, clock));
    expect(e.code).toBe("INSUFFICIENT_ELIGIBLE_INSPECTORS");
    expect(e.message).toContain(`${target}：没有具备「危险货物」专业且无须回避的执法人员`);
  });

  it("a joint task draws only from the joint units and spans them", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-02", orderedBy: LEADER }, clock);
    const { record } = await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "x" }, clock);
    const units = new Map(record.pool.inspectors.map((i) => [i.id, i.unit]));
    expect(new Set(units.values())).toEqual(new Set(record.params.jointUnits));
    for (const a of record.selection.assignments)
      expect(new Set(a.inspectorIds.map((id) => units.get(id))).size).toBe(2);
  });

  it("approved recusal: deterministic replacement, conflict recorded, record still verifies", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock);
    const { record } = await revealDraw(db, { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "x" }, clock);
    const team = record.selection.assignments[0]!;
    const { record: amended, replacementId } = await recuse(
      db,
      {
        drawId: record.drawId,
        inspectorId: team.inspectorIds[0]!,
        targetId: team.targetId,
        by: LEADER,
        reason: "表兄在该企业任职",
      },
      clock,
    );
    expect(verify(amended).ok).toBe(true);
    expect(currentTeams(amended)[0]!.inspectorIds).toContain(replacementId);
    expect(
      await db.assignment.findUnique({
        where: {
          drawId_targetId_inspectorId: {
            drawId: record.drawId,
            targetId: team.targetId,
            inspectorId: team.inspectorIds[0]!,
          },
        },
      }),
    ).toMatchObject({ status: "recused" });
    expect(
      await db.conflict.findUnique({
        where: { certNo_creditCode: { certNo: team.inspectorIds[0]!, creditCode: team.targetId } },
      }),
    ).toMatchObject({ source: "recusal" });
    expect(publishedRecord(await findDraw(db, "T2026-01"))).toEqual(amended);
  });

  it("the next draw of the same item avoids last draw's pairs", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock);
    const { record: first } = await revealDraw(
      db,
      { drawId: commitment.drawId, witnessOpenId: WITNESS, entropy: "x" },
      clock,
    );
    // Next year's task: within one 年度 a 一般 item's drawn targets leave the pool (§7, draw.routine.test.ts).
    const plan =
      "任务编号,任务名称,年度,事项编码,开始日期,结束日期,高风险比例(%)\nT2027-01,2027年道路货运抽查,2027,JT-HY-001,2027-03-01,2027-12-15,100\n";
    await importFile(db, Buffer.from(plan), "p.csv", { kind: "plan", actor: "test", at: NOW, directory: null });
    const { commitment: c2 } = await commitDraw(db, { taskCode: "T2027-01", orderedBy: LEADER }, clock);
    const previous = new Set(
      first.selection.assignments.flatMap((a) => a.inspectorIds.map((i) => `${a.targetId}|${i}`)),
    );
    expect(c2.pool.previousAssignments.length).toBe(previous.size);
    const { record: second } = await revealDraw(db, { drawId: c2.drawId, witnessOpenId: WITNESS, entropy: "y" }, clock);
    for (const a of second.selection.assignments)
      for (const i of a.inspectorIds) expect(previous.has(`${a.targetId}|${i}`)).toBe(false);
    expect(second.selection.relaxations).toEqual([]);
  });

  it("a plan row can't change a drawn task's draw parameters", async () => {
    const { commitment } = await commitDraw(db, { taskCode: "T2026-03", orderedBy: LEADER }, clock);
    const plan =
      "任务编号,任务名称,年度,事项编码,开始日期,结束日期,中风险比例(%)\nT2026-03,改名,2026,JT-WX-001,2026-05-01,2026-12-15,50\n";
    const e = await refusal(db, () =>
      importFile(db, Buffer.from(plan), "p.csv", { kind: "plan", actor: "test", at: NOW, directory: null }),
    );
    expect(e.message).toContain("第2行 任务编号: 该任务已有抽取记录");
    expect(
      (JSON.parse((await db.draw.findUniqueOrThrow({ where: { id: commitment.drawId } })).record) as Commitment).params,
    ).toEqual(commitment.params);
  });

  it("a dry run writes nothing and yields a verifiable record", async () => {
    const before = await tableCounts(db);
    const { record } = await dryRun(db, "T2026-04", clock);
    expect(verify(record).ok).toBe(true);
    expect(record.params.inspectorsPerTarget).toBe(3);
    expect(await tableCounts(db)).toEqual(before);
  });

  it("the audit chain detects an edited row", async () => {
    await commitDraw(db, { taskCode: "T2026-01", orderedBy: LEADER }, clock);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
    const victim = await db.auditLog.findFirstOrThrow({ where: { action: "import.targets" } });
    // The log is append-only in the database: an UPDATE is refused until the trigger is dropped.
    await expect(db.$executeRawUnsafe(`UPDATE AuditLog SET actor = 'x' WHERE seq = ${victim.seq}`)).rejects.toThrow(
      /append-only/,
    );
    await db.$executeRawUnsafe(`DROP TRIGGER "AuditLog_no_update"`);
    await db.$executeRawUnsafe(
      `UPDATE AuditLog SET data = replace(data, '${demoCreditCode(1)}', 'X') WHERE seq = ${victim.seq}`,
    );
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: victim.seq });
  });

  it("unknown task → a clear message", async () => {
    expect((await refusal(db, () => commitDraw(db, { taskCode: "T-NOPE", orderedBy: LEADER }, clock))).message).toMatch(
      /找不到任务编号「T-NOPE」/,
    );
  });
});
