import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { WorkCalendar } from "../../src/domain/calendar";
import { currentTeams } from "../../src/domain/draw/amend";
import type { DrawRecord } from "../../src/domain/draw/types";
import { verify } from "../../src/domain/draw/verify";
import { verifyAuditChain } from "../../src/store/audit";
import { startBotRig, STRANGER, type BotRig } from "../helpers/botRig";
import { bureauToday, daysFromToday } from "../helpers/clock";
import { FAKE } from "../helpers/lark";

let rig: BotRig;
let drawId = "";
let record: DrawRecord;
const openIdOf = async (certNo: string) => (await rig.db.inspector.findUniqueOrThrow({ where: { certNo } })).openId!;
const assignmentOf = (targetId: string, certNo: string) =>
  rig.db.assignment.findUniqueOrThrow({
    where: { drawId_targetId_inspectorId: { drawId, targetId, inspectorId: certNo } },
  });
const cardTitle = (m: { card?: Record<string, unknown> }) =>
  (m.card as { header: { title: { content: string } } }).header.title.content;
/**
 * The team whose result the tests below submit, confirm and correct: one without the 领导 (the draw's seed is
 * fresh each run and he is also an 执法人员; as the submitter he could correct his own result, which the test
 * expects an inspector to be refused). The same team for every test: no amendment happens after the recusal.
 */
const resultTeam = async () => {
  const leaderCert = (await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } })).certNo;
  const current = JSON.parse((await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } })).record) as DrawRecord;
  return currentTeams(current).find((t) => !t.inspectorIds.includes(leaderCert))!;
};

beforeAll(async () => {
  rig = await startBotRig();
  await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-03"));
  await rig.settle();
  drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } })).id;
  await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId }, { entropy: "6-6-2-5" });
  await rig.settle();
  record = JSON.parse((await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } })).record) as DrawRecord;
});
afterAll(async () => rig.stop());

describe("inspectors' task loop, through cards", () => {
  it("every assigned inspector gets a private task card with the target's details", async () => {
    const assignments = await rig.db.assignment.findMany({ where: { drawId } });
    expect(assignments.length).toBe(record.selection.targets.length * 2);
    for (const a of assignments) {
      const cards = rig.fake.sentTo(await openIdOf(a.inspectorId));
      const mine = cards.find((m) => m.message_id === a.cardMessageId);
      expect(mine, `task card for ${a.inspectorId}`).toBeDefined();
      expect(cardTitle(mine!)).toBe("检查任务 · T2026-03");
      expect(JSON.stringify(mine!.card)).toContain(a.targetId);
    }
  });

  it("accept, then a recusal request approved by the leader brings a deterministic replacement", async () => {
    // The draw's seed is fresh each run; the 领导 is also an 执法人员 and can't approve his own request, so the
    // recusal is asked in a team he is not in.
    const leaderCert = (await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } })).certNo;
    const team = currentTeams(record).find((t) => !t.inspectorIds.includes(leaderCert));
    const [first, second] = team!.inspectorIds as [string, string];
    const a1 = await assignmentOf(team!.targetId, first);
    const accepted = await rig.press(await openIdOf(first), { action: "task.accept", assignmentId: a1.id });
    expect(accepted.card?.data.header.title.content).toBe("检查任务 · T2026-03（已接受）");
    expect(JSON.stringify(accepted.card)).toContain("result_form");

    // Someone else clicking a forwarded card changes nothing.
    const a2 = await assignmentOf(team!.targetId, second);
    expect(
      (await rig.press(await openIdOf(first), { action: "task.recuse", assignmentId: a2.id }, { reason: "x" })).toast
        ?.content,
    ).toMatch(/这不是您的任务/);
    expect((await rig.press(STRANGER, { action: "task.accept", assignmentId: a2.id })).toast?.type).toBe("error");

    const asked = await rig.press(
      await openIdOf(second),
      { action: "task.recuse", assignmentId: a2.id },
      { reason: "配偶在该企业任职" },
    );
    expect(asked.card?.data.header.title.content).toBe("检查任务 · T2026-03（回避审批中）");
    await rig.settle();
    const approval = rig.fake.sentTo(DEMO_OPEN_IDS.leader).find((m) => cardTitle(m) === "回避申请 · 待审批");
    expect(approval).toBeDefined();
    const requestId = (await rig.db.recusalRequest.findFirstOrThrow()).id;

    // Only a 领导 decides; an inspector clicking a forwarded approval card is refused.
    expect((await rig.press(await openIdOf(first), { action: "recusal.approve", requestId })).toast?.content).toBe(
      "仅限领导、管理员操作",
    );
    const approved = await rig.press(DEMO_OPEN_IDS.leader, { action: "recusal.approve", requestId });
    expect(approved.card?.data.header.title.content).toBe("回避申请 · 已批准");
    await rig.settle();

    const draw = JSON.parse((await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } })).record) as DrawRecord;
    expect(draw.amendments).toHaveLength(1);
    expect(verify(draw).ok).toBe(true);
    const replacement = draw.amendments[0]!.replacementId;
    expect((await assignmentOf(team!.targetId, second)).status).toBe("recused");
    const newCard = rig.fake
      .sentTo(await openIdOf(replacement))
      .filter((m) => JSON.stringify(m.card ?? {}).includes(team!.targetId));
    expect(newCard.length).toBeGreaterThan(0);
    expect(rig.fake.sentTo(FAKE.group).some((m) => rig.textOf(m).startsWith("【回避】"))).toBe(true);
    expect(
      await rig.db.conflict.findUnique({
        where: { certNo_creditCode: { certNo: second, creditCode: team!.targetId } },
      }),
    ).toMatchObject({ source: "recusal" });
    // A second click on the decided card changes nothing.
    expect((await rig.press(DEMO_OPEN_IDS.leader, { action: "recusal.approve", requestId })).toast?.content).toBe(
      "这项申请已经处理过了",
    );
  });

  it("the result form: a bad submission names the field; strangers can't submit; a double submit stores one result", async () => {
    const team = await resultTeam();
    const [first] = team.inspectorIds as [string, string];
    const a1 = await assignmentOf(team.targetId, first);
    const today = bureauToday();

    const bad = await rig.press(
      await openIdOf(first),
      { action: "result.submit", assignmentId: a1.id },
      { inspection_date: `${today} +0800`, category: "发现问题待后续处理" },
    );
    expect(bad.toast).toEqual({
      type: "error",
      content: "问题描述：「发现问题待后续处理」必须描述发现的问题\n后续处置：「发现问题待后续处理」必须选择后续处置",
    });
    expect(await rig.db.result.count()).toBe(0);

    expect(
      (
        await rig.press(
          STRANGER,
          { action: "result.submit", assignmentId: a1.id },
          { inspection_date: `${today} +0800`, category: "未发现问题" },
        )
      ).toast?.type,
    ).toBe("error");

    const deadline = daysFromToday(58); // any date after the inspection
    const form = {
      inspection_date: `${today} +0800`,
      category: "发现问题待后续处理",
      problem: "未按规定建立车辆技术档案",
      disposal: "责令限期整改",
      rectify_deadline: `${deadline} +0800`,
    };
    const ok = await rig.press(await openIdOf(first), { action: "result.submit", assignmentId: a1.id }, form);
    expect(ok.toast?.content).toBe("检查结果已提交，等待同组确认");
    expect(ok.card?.data.header.title.content).toBe("检查任务 · T2026-03（已提交）");
    const again = await rig.press(await openIdOf(first), { action: "result.submit", assignmentId: a1.id }, form);
    expect(again.toast?.type).toBe("info");
    expect(await rig.db.result.count()).toBe(1);
  });

  it("the partner confirms; the publicity deadline is 20 working days on; the follow-up is opened", async () => {
    await rig.settle();
    const result = await rig.db.result.findFirstOrThrow();
    const team = await resultTeam();
    expect(team.targetId).toBe(result.targetId);
    const partner = team.inspectorIds.find((id) => id !== result.submittedBy)!;
    const confirmCard = rig.fake.sentTo(await openIdOf(partner)).find((m) => cardTitle(m) === "检查结果 · 请同组确认");
    expect(confirmCard).toBeDefined();

    expect(
      (await rig.press(await openIdOf(result.submittedBy), { action: "result.confirm", resultId: result.id })).toast
        ?.content,
    ).toBe("提交人不能自己确认，请由同组另一人确认");
    const confirmed = await rig.press(await openIdOf(partner), { action: "result.confirm", resultId: result.id });
    const today = bureauToday();
    const due = new WorkCalendar(
      (await rig.db.holiday.findMany()).map((h) => ({ date: h.date, kind: h.kind as "休" | "班" })),
    ).addWorkingDays(today, 20).date;
    expect(confirmed.toast?.content).toContain(`已确认，公示期限 ${due}`);
    expect(await rig.db.result.findUniqueOrThrow({ where: { id: result.id } })).toMatchObject({
      status: "confirmed",
      confirmedBy: partner,
      publicityDue: due,
    });
    expect(await rig.db.followUp.findFirstOrThrow()).toMatchObject({
      kind: "整改复查",
      dueDate: daysFromToday(58),
      status: "open",
    });
    expect(
      (await rig.press(await openIdOf(partner), { action: "result.confirm", resultId: result.id })).toast?.content,
    ).toBe("这条结果已经处理过了");

    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "进度 T2026-03"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toMatch(/已提交 1｜已确认 1｜已公示 0/);
    expect(await verifyAuditChain(rig.db)).toMatchObject({ ok: true });
  });

  it("a 法制员 corrects a confirmed result with a reason; the old version stays; inspectors can't", async () => {
    const legalChat = "oc_p2p_legal";
    rig.fake.addChat(legalChat, "私聊", [DEMO_OPEN_IDS.legal]);
    await rig.deliver(rig.say(DEMO_OPEN_IDS.legal, "公示", legalChat, "p2p"));
    await rig.settle();
    const list = rig.fake.sentTo(legalChat).at(-1)!;
    expect(cardTitle(list)).toBe("待公示检查结果");
    const original = await rig.db.result.findFirstOrThrow({ where: { current: true } });
    expect(JSON.stringify(list.card)).toContain(`"resultId":${original.id}`);

    const inspector = await openIdOf(original.submittedBy);
    expect((await rig.press(inspector, { action: "result.correct.open", resultId: original.id })).toast?.content).toBe(
      "仅限法制员、领导操作",
    );
    // 「更正结果」 on the shared list sends a new private card; the list itself stays for everyone.
    const form = await rig.press(DEMO_OPEN_IDS.legal, { action: "result.correct.open", resultId: original.id });
    expect(form).toEqual({ toast: { type: "success", content: "更正表单已私聊发送给您" } });
    await rig.settle();
    expect(cardTitle(rig.fake.sentTo(DEMO_OPEN_IDS.legal).at(-1)!)).toBe("更正检查结果 · T2026-03");
    expect(cardTitle(rig.fake.sentTo(legalChat).at(-1)!)).toBe("待公示检查结果");

    const values = {
      inspection_date: `${original.inspectionDate} +0800`,
      category: "发现问题经责令已改正",
      problem: original.problem,
    };
    expect(
      (await rig.press(DEMO_OPEN_IDS.legal, { action: "result.correct", resultId: original.id }, values)).toast
        ?.content,
    ).toBe("更正理由：必填");
    const done = await rig.press(
      DEMO_OPEN_IDS.legal,
      { action: "result.correct", resultId: original.id },
      { ...values, correction_reason: "复核时企业已提交整改材料" },
    );
    expect(done.toast?.content).toBe("已更正（第 2 版），原结果已保留");

    const versions = await rig.db.result.findMany({
      where: { drawId, targetId: original.targetId },
      orderBy: { version: "asc" },
    });
    expect(versions.map((v) => [v.version, v.current, v.category])).toEqual([
      [1, false, "发现问题待后续处理"],
      [2, true, "发现问题经责令已改正"],
    ]);
    expect(versions[1]).toMatchObject({
      correctionReason: "复核时企业已提交整改材料",
      status: "confirmed",
      publicityDue: original.publicityDue,
    });
    expect(await rig.db.auditLog.count({ where: { action: "result.correct" } })).toBe(1);
    // The superseded version can't be corrected again.
    expect(
      (
        await rig.press(
          DEMO_OPEN_IDS.legal,
          { action: "result.correct", resultId: original.id },
          { ...values, correction_reason: "x" },
        )
      ).toast?.type,
    ).toBe("error");
  });
});
