import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/db";
import { LEGAL_CHAT, startJobsRig, type JobsRig } from "../../helpers/jobsRig";

let rig: JobsRig;
let teams: { targetId: string; members: { id: number; inspectorId: string; openId: string }[] }[] = [];
const MARK = "（未导入2027年节假日安排，日期待确认）";

beforeAll(async () => {
  rig = await startJobsRig();
  const rows = await rig.db.assignment.findMany({ where: { drawId: rig.drawId }, orderBy: { id: "asc" } });
  const by = new Map<string, (typeof teams)[number]["members"]>();
  for (const a of rows)
    by.set(a.targetId, [
      ...(by.get(a.targetId) ?? []),
      { id: a.id, inspectorId: a.inspectorId, openId: await rig.openIdOf(a.inspectorId) },
    ]);
  teams = [...by].map(([targetId, members]) => ({ targetId, members }));
}, 180_000);
afterAll(async () => rig?.stop());

const form = (o: { date: string; disposal?: string; deadline?: string; category?: string }) => ({
  inspection_date: `${o.date} +0800`,
  category: o.category ?? "发现问题待后续处理",
  problem: "维修档案不全",
  ...(o.disposal ? { disposal: o.disposal } : {}),
  ...(o.deadline ? { rectify_deadline: `${o.deadline} +0800` } : {}),
});

/** Submit by the first member, confirm by the second; returns the confirmed result. */
async function confirmedResult(team: (typeof teams)[number], f: Record<string, unknown>) {
  const [a, b] = team.members as [(typeof team.members)[number], (typeof team.members)[number]];
  const submitted = await rig.press(a.openId, { action: "result.submit", assignmentId: a.id }, f);
  expect(submitted.toast?.type, submitted.toast?.content).toBe("success");
  const r = await rig.db.result.findFirstOrThrow({
    where: { drawId: rig.drawId, targetId: team.targetId, current: true },
  });
  const confirmed = await rig.press(b.openId, { action: "result.confirm", resultId: r.id });
  expect(confirmed.toast?.type, confirmed.toast?.content).toBe("success");
  return { result: await rig.db.result.findUniqueOrThrow({ where: { id: r.id } }), toast: confirmed.toast!.content };
}

describe("a year the calendar doesn't know, and follow-ups to closure", () => {
  it("a result confirmed in late December gets its 20-working-day publicity deadline across 元旦 2027, flagged uncertain", async () => {
    rig.setToday("2026-12-28");
    const { result, toast } = await confirmedResult(
      teams[0]!,
      form({ date: "2026-12-28", disposal: "责令限期整改", deadline: "2027-01-08" }),
    );
    expect(result).toMatchObject({
      publicityDue: "2027-01-25",
      publicityDueUncovered: 2027,
      confirmedOn: "2026-12-28",
    });
    expect(toast).toBe(`已确认，公示期限 2027-01-25${MARK}`);
    const f = await rig.db.followUp.findFirstOrThrow({ where: { resultId: result.id } });
    expect(f).toMatchObject({
      kind: "整改复查",
      status: "open",
      dueDate: "2027-01-08",
      dueUncovered: 2027,
      owner: teams[0]!.members.map((m) => m.inspectorId).join(";"),
      openedOn: "2026-12-28",
    });
    expect(await rig.db.auditLog.count({ where: { action: "followup.open", entityId: String(f.id) } })).toBe(1);
  });

  it("each administrator is told once, privately, to import 2027's schedule", async () => {
    await rig.deliver();
    const admins = await rig.db.inspector.findMany({ where: { roles: { contains: "管理员" }, openId: { not: null } } });
    expect(admins.length).toBeGreaterThan(0);
    const notices = (openId: string) =>
      rig.fake.sentTo(openId).filter((m) => m.content.includes("2027 年的法定节假日安排尚未导入"));
    for (const a of admins) expect(notices(a.openId!)).toHaveLength(1);
    await rig.drbot(["jobs", "run", "reminders", "--at", "2026-12-29"]);
    await rig.drbot(["jobs", "run", "reminders", "--at", "2026-12-30"]);
    for (const a of admins) expect(notices(a.openId!)).toHaveLength(1);
  });

  it("the digest shows the uncertain deadline with its mark", async () => {
    const r = await rig.drbot(["jobs", "run", "digest", "--at", "2027-01-21"]);
    expect(r.code, r.err).toBe(0);
    const card = rig.fake.sentTo(LEGAL_CHAT).at(-1)!.content;
    expect(card).toContain("「待公示」");
    expect(card).toContain(`还剩2个工作日（期限 2027-01-25${MARK}）`);
    expect(card).toContain("「整改复查」");
  });

  it("a 整改 result yields a 复查 card to its inspectors on the deadline, and 已整改 closes the follow-up", async () => {
    const team = teams[0]!;
    const f = await rig.db.followUp.findFirstOrThrow({ where: { kind: "整改复查", status: "open" } });
    const counts = () => Promise.all(team.members.map((m) => rig.fake.sentTo(m.openId).length));
    const before = await counts();
    await rig.drbot(["jobs", "run", "reminders", "--at", "2027-01-07"]);
    for (const [k, m] of team.members.entries())
      expect(
        rig.fake
          .sentTo(m.openId)
          .slice(before[k])
          .some((x) => x.content.includes("followup.rectified")),
      ).toBe(false);
    const mid = await counts();
    const r = await rig.drbot(["jobs", "run", "reminders", "--at", "2027-01-08"]);
    expect(r.code, r.err).toBe(0);
    for (const [k, m] of team.members.entries()) {
      const got = rig.fake.sentTo(m.openId).slice(mid[k]);
      expect(got).toHaveLength(1);
      expect(got[0]!.content).toContain("整改复查（今日到期或已逾期）");
      expect(got[0]!.content).toContain(`"action":"followup.rectified","followUpId":${f.id}`);
      expect(got[0]!.content).toContain(`"action":"followup.not_rectified","followUpId":${f.id}`);
    }

    rig.setToday("2027-01-08");
    const outsider = (
      await rig.db.inspector.findFirstOrThrow({
        where: { roles: "执法人员", certNo: { notIn: team.members.map((m) => m.inspectorId) }, openId: { not: null } },
      })
    ).openId!;
    expect(
      (
        await rig.press(
          outsider,
          { action: "followup.rectified", followUpId: f.id },
          { review_date: "2027-01-06 +0800" },
        )
      ).toast?.content,
    ).toMatch(/只有负责的执法人员/);
    const [a] = team.members;
    expect(
      (
        await rig.press(
          a!.openId,
          { action: "followup.rectified", followUpId: f.id, from: "reminders" },
          { review_date: "2027-01-09 +0800" },
        )
      ).toast?.content,
    ).toBe("复查日期：不能晚于今天");
    expect(
      (
        await rig.press(
          a!.openId,
          { action: "followup.rectified", followUpId: f.id, from: "reminders" },
          { review_date: "2026-12-27 +0800" },
        )
      ).toast?.content,
    ).toMatch(/不能早于检查日期/);
    const ok = await rig.press(
      a!.openId,
      { action: "followup.rectified", followUpId: f.id, from: "reminders" },
      { review_date: "2027-01-06 +0800" },
    );
    expect(ok.toast).toEqual({ type: "success", content: "已登记整改完成，本项后续处置已办结" });
    const closed = await rig.db.followUp.findUniqueOrThrow({ where: { id: f.id } });
    expect(closed).toMatchObject({ status: "closed", outcome: "已整改" });
    expect(JSON.parse(closed.details)).toEqual({ 复查日期: "2027-01-06", 处置: "责令限期整改" });
    expect(await rig.db.auditLog.count({ where: { action: "followup.rectified", entityId: String(f.id) } })).toBe(1);
    expect(
      (
        await rig.press(
          a!.openId,
          { action: "followup.not_rectified", followUpId: f.id },
          { next_disposal: "立案调查" },
        )
      ).toast?.content,
    ).toMatch(/已办结（已整改）/);
    // Closed: the next day's reminders carry no 复查 for it.
    const after = await counts();
    await rig.drbot(["jobs", "run", "reminders", "--at", "2027-01-11"]);
    for (const [k, m] of team.members.entries())
      expect(
        rig.fake
          .sentTo(m.openId)
          .slice(after[k])
          .some((x) => x.content.includes(`"followUpId":${f.id}`)),
      ).toBe(false);
  });

  it("未整改 opens 立案调查, whose owners get its record card; 案号 and 结案日期 close it", async () => {
    const team = teams[1]!;
    const { result } = await confirmedResult(
      team,
      form({ date: "2027-01-04", disposal: "责令限期整改", deadline: "2027-01-05" }),
    );
    const f = await rig.db.followUp.findFirstOrThrow({ where: { resultId: result.id } });
    const [a] = team.members;
    expect(
      (
        await rig.press(
          a!.openId,
          { action: "followup.not_rectified", followUpId: f.id },
          { next_disposal: "责令限期整改" },
        )
      ).toast?.type,
    ).toBe("error");
    const answer = await rig.press(
      a!.openId,
      { action: "followup.not_rectified", followUpId: f.id },
      { next_disposal: "立案调查" },
    );
    expect(answer.toast?.content).toBe("已登记未整改，已开启下一步后续处置");
    const next = await rig.db.followUp.findFirstOrThrow({ where: { parentId: f.id } });
    expect(next).toMatchObject({ kind: "立案调查", status: "open", openedOn: "2027-01-08", dueDate: "2027-04-08" });
    await rig.deliver();
    for (const m of team.members)
      expect(
        rig.fake
          .sentTo(m.openId)
          .some((x) => x.content.includes(`"action":"followup.case_closed","followUpId":${next.id}`)),
      ).toBe(true);
    const closed = await rig.press(
      a!.openId,
      { action: "followup.case_closed", followUpId: next.id },
      { case_no: "交执罚〔2027〕3号", closed_date: "2027-01-08 +0800" },
    );
    expect(closed.toast?.content).toBe("已登记结案");
    expect(closed.card?.header.title.content).toBe("立案调查 · 已结案");
    expect(await rig.db.followUp.count({ where: { resultId: result.id, status: "open" } })).toBe(0);
  });

  it("a correction closes the follow-ups that no longer apply and opens what the new result needs", async () => {
    const team = teams[2]!;
    const { result } = await confirmedResult(
      team,
      form({ date: "2027-01-07", disposal: "责令限期整改", deadline: "2027-02-01" }),
    );
    const legal = (await rig.db.inspector.findFirstOrThrow({ where: { roles: { contains: "法制员" } } })).openId!;
    const corrected = await rig.press(
      legal,
      { action: "result.correct", resultId: result.id },
      { ...form({ date: "2027-01-07", disposal: "移送有关部门" }), correction_reason: "应移送市场监管部门" },
    );
    expect(corrected.toast?.type, corrected.toast?.content).toBe("success");
    const current = await rig.db.result.findFirstOrThrow({
      where: { drawId: rig.drawId, targetId: team.targetId, current: true },
    });
    const chain = await rig.db.followUp.findMany({ where: { resultId: current.id }, orderBy: { id: "asc" } });
    expect(chain.map((x) => [x.kind, x.status, x.outcome])).toEqual([
      ["整改复查", "closed", "已撤销"],
      ["移送", "open", null],
    ]);
    expect(chain[1]!.dueDate).toBe("2027-01-22"); // 10 working days, weekends only in 2027 until imported
    expect(chain[1]!.dueUncovered).toBe(2027);
  });

  it("importing 2027's 节假日安排 recomputes the open deadlines and tells the people whose deadline moved", async () => {
    const dir = tempDir();
    const file = path.join(dir, "holidays.csv");
    writeFileSync(file, "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-04,休,元旦调休\n");
    const r = await rig.drbot(["import", "holidays", file]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/已按新的节假日安排重新核算 \d+ 个未办结期限/);
    const first = await rig.db.result.findFirstOrThrow({
      where: { drawId: rig.drawId, targetId: teams[0]!.targetId, current: true },
    });
    expect(first).toMatchObject({ publicityDue: "2027-01-27", publicityDueUncovered: null });
    const transfer = await rig.db.followUp.findFirstOrThrow({ where: { kind: "移送", status: "open" } });
    expect(transfer).toMatchObject({ dueUncovered: null });
    await rig.deliver();
    const legal = (await rig.db.inspector.findFirstOrThrow({ where: { roles: { contains: "法制员" } } })).openId!;
    const moved = rig.fake.sentTo(legal).filter((m) => m.content.includes("【期限变动】"));
    expect(moved).toHaveLength(1);
    expect(moved[0]!.content).toContain("公示期限：2027-01-25 → 2027-01-27");
    expect(await rig.db.auditLog.count({ where: { action: "deadline.recompute" } })).toBeGreaterThan(0);
    const digest = await rig.drbot(["jobs", "run", "digest", "--at", "2027-01-25"]);
    expect(digest.code).toBe(0);
    expect(rig.fake.sentTo(LEGAL_CHAT).at(-1)!.content).not.toContain(MARK);
  });
});
