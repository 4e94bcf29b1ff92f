import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { currentTeams } from "../../src/domain/draw/amend";
import type { DrawRecord } from "../../src/domain/draw/types";
import { startBotRig, STRANGER, type BotRig } from "../helpers/botRig";
import { FAKE } from "../helpers/lark";

let rig: BotRig;
let drawId = "";
let record: DrawRecord;
let today = "";
const cardTitle = (m: { card?: Record<string, unknown> }) =>
  (m.card as { header: { title: { content: string } } } | undefined)?.header.title.content;
const openIdOf = async (certNo: string) => (await rig.db.inspector.findUniqueOrThrow({ where: { certNo } })).openId!;
const since = (openId: string, n: number) => rig.fake.sentTo(openId).slice(n);

beforeAll(async () => {
  rig = await startBotRig();
  await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-03"));
  await rig.settle();
  drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } })).id;
  await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId }, { entropy: "2-7-1-8" });
  await rig.settle();
  const draw = await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } });
  record = JSON.parse(draw.record) as DrawRecord;
  today = draw.revealedOn!;
});
afterAll(async () => rig.stop());

describe("我的任务: fresh cards that outlive Feishu's 14-day window (spec §4)", () => {
  it("asked in the group, it answers privately with a fresh task card (result form) per open assignment", async () => {
    const [team] = currentTeams(record);
    const me = team!.inspectorIds[0]!;
    const openId = await openIdOf(me);
    const mine = await rig.db.assignment.findMany({ where: { drawId, inspectorId: me }, orderBy: { id: "asc" } });
    const before = rig.fake.sentTo(openId).length;
    await rig.deliver(rig.say(openId, "我的任务"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toBe("已私聊发送给您。");
    const fresh = since(openId, before);
    expect(rig.textOf(fresh[0]!)).toMatch(new RegExp(`^您有 ${mine.length} 项待办`));
    const cards = fresh.slice(1);
    expect(cards).toHaveLength(mine.length);
    for (const a of mine) {
      const row = await rig.db.assignment.findUniqueOrThrow({ where: { id: a.id } });
      const card = cards.find((c) => c.message_id === row.cardMessageId); // later updates go to the fresh copy
      expect(card, `fresh card for ${a.targetId}`).toBeDefined();
      expect(JSON.stringify(card!.card)).toContain('"name":"result_form"');
      expect(JSON.stringify(card!.card)).toContain(a.targetId);
    }
    // Nothing of it went to the group.
    expect(
      rig.fake.sentTo(FAKE.group).filter((m) => JSON.stringify(m.card ?? {}).includes("result_form")),
    ).toHaveLength(0);
  });

  it("someone not in the roster is told so; nothing is sent privately", async () => {
    const before = rig.fake.sentTo(STRANGER).length;
    await rig.deliver(rig.say(STRANGER, "我的任务"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toBe(
      "您尚未登记在执法检查人员名录库中，没有可查看的任务。",
    );
    expect(rig.fake.sentTo(STRANGER)).toHaveLength(before);
  });

  it("includes results waiting for the caller's confirmation, and for 领导/管理员 the recusals waiting for approval", async () => {
    const [, team] = currentTeams(record);
    const [submitter, partner] = team!.inspectorIds as [string, string];
    const a = await rig.db.assignment.findFirstOrThrow({
      where: { drawId, targetId: team!.targetId, inspectorId: submitter },
    });
    const ok = await rig.press(
      await openIdOf(submitter),
      { action: "result.submit", assignmentId: a.id },
      { inspection_date: `${today} +0800`, category: "未发现问题" },
    );
    expect(ok.toast?.content).toBe("检查结果已提交，等待同组确认");
    await rig.settle(); // a click while the sender thread writes can meet SQLITE_BUSY (the concurrency branch's part)
    // The one asking is an ordinary inspector (the draw is random: never the 领导, whose own request they wouldn't see).
    const leaderCert = (await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } })).certNo;
    const third = currentTeams(record).find(
      (t) => t.targetId !== team!.targetId && t.inspectorIds.some((id) => id !== leaderCert),
    )!;
    const recuser = third.inspectorIds.find((id) => id !== leaderCert)!;
    const b = await rig.db.assignment.findFirstOrThrow({
      where: { drawId, targetId: third.targetId, inspectorId: recuser },
    });
    const asked = await rig.press(
      await openIdOf(recuser),
      { action: "task.recuse", assignmentId: b.id },
      { reason: "曾在该企业任职" },
    );
    expect(asked.toast?.content).toBe("回避申请已提交领导审批");
    await rig.settle();

    const partnerId = await openIdOf(partner);
    const n = rig.fake.sentTo(partnerId).length;
    await rig.deliver(rig.say(partnerId, "我的任务", "oc_p2p_partner", "p2p"));
    await rig.settle();
    expect(since(partnerId, n).map(cardTitle)).toContain("检查结果 · 请同组确认");

    for (const who of [DEMO_OPEN_IDS.leader, DEMO_OPEN_IDS.admin]) {
      const k = rig.fake.sentTo(who).length;
      await rig.deliver(rig.say(who, "我的任务"));
      await rig.settle();
      expect(since(who, k).map(cardTitle)).toContain("回避申请 · 待审批");
    }
    // An inspector (no 领导/管理员 role) gets no approval cards.
    const plain = DEMO_OPEN_IDS.inspectorA;
    const m = rig.fake.sentTo(plain).length;
    await rig.deliver(rig.say(plain, "我的任务"));
    await rig.settle();
    expect(since(plain, m).length).toBeGreaterThan(0);
    expect(since(plain, m).map(cardTitle)).not.toContain("回避申请 · 待审批");
  });

  it("at most 20 cards, then a line saying how many more", async () => {
    const targetId = record.selection.targets[0]!.id;
    for (let k = 0; k < 24; k++)
      await rig.db.recusalRequest.create({
        data: {
          drawId,
          targetId,
          inspectorId: record.pool.inspectors[k % record.pool.inspectors.length]!.id,
          reason: `测试${k}`,
        },
      });
    const pending = await rig.db.recusalRequest.count({ where: { status: "pending" } });
    const k = rig.fake.sentTo(DEMO_OPEN_IDS.admin).length;
    await rig.deliver(rig.say(DEMO_OPEN_IDS.admin, "我的任务"));
    await rig.settle();
    const got = since(DEMO_OPEN_IDS.admin, k);
    expect(rig.textOf(got[0]!)).toMatch(new RegExp(`^您有 ${pending} 项待办`));
    expect(got.filter((m) => m.msg_type === "interactive")).toHaveLength(20);
    expect(rig.textOf(got.at(-1)!)).toBe(`……另有 ${pending - 20} 项未发送，请处理以上各项后再发送「我的任务」。`);
    await rig.db.recusalRequest.deleteMany({ where: { reason: { startsWith: "测试" } } });
  });
});

describe("「打开」 on a shared card and the target's phone", () => {
  it("task.open sends a new private card to the clicker and leaves the shared card alone; others are refused", async () => {
    const [team] = currentTeams(record);
    const me = team!.inspectorIds[1]!;
    const a = await rig.db.assignment.findFirstOrThrow({
      where: { drawId, targetId: team!.targetId, inspectorId: me },
    });
    const n = rig.fake.sentTo(await openIdOf(me)).length;
    const answer = await rig.press(await openIdOf(me), { action: "task.open", assignmentId: a.id });
    expect(answer).toEqual({ toast: { type: "success", content: "任务卡片已私聊发送给您" } });
    await rig.settle();
    const fresh = since(await openIdOf(me), n);
    expect(fresh).toHaveLength(1);
    expect(JSON.stringify(fresh[0]!.card)).toContain(team!.targetId);
    expect((await rig.press(DEMO_OPEN_IDS.legal, { action: "task.open", assignmentId: a.id })).toast?.content).toMatch(
      /这不是您的任务/,
    );
  });

  it("the card shows the phone masked; the full number goes to an assigned inspector only, privately", async () => {
    const [team] = currentTeams(record);
    const me = team!.inspectorIds[0]!;
    const target = await rig.db.target.findUniqueOrThrow({ where: { creditCode: team!.targetId } });
    expect(target.phone).not.toBe("");
    const a = await rig.db.assignment.findFirstOrThrow({
      where: { drawId, targetId: team!.targetId, inspectorId: me },
    });
    const card = rig.fake.sentTo(await openIdOf(me)).find((m) => m.message_id === a.cardMessageId)!;
    const json = JSON.stringify(card.card);
    expect(json).not.toContain(target.phone);
    expect(json).toContain('"element_id":"sensitive_phone"');
    const shown = await rig.press(await openIdOf(me), { action: "task.phone", assignmentId: a.id });
    expect(shown.toast?.content).toBe(`${target.name} 联系电话：${target.phone}`);
    // Someone registered but off this team: the 领导 unless the (fresh-seeded) draw put him on it.
    const teamOpenIds = await Promise.all(team!.inspectorIds.map(openIdOf));
    const outsider = [DEMO_OPEN_IDS.leader, DEMO_OPEN_IDS.inspectorA].find((o) => !teamOpenIds.includes(o))!;
    expect((await rig.press(outsider, { action: "task.phone", assignmentId: a.id })).toast?.type).toBe("error");
  });

  it("when Feishu's data-leak review refuses a card (230028), it is resent without the phone", async () => {
    rig.fake.sensitivePattern = /\*\*电话\*\*/;
    try {
      const [team] = currentTeams(record);
      const me = team!.inspectorIds[0]!;
      const n = rig.fake.sentTo(await openIdOf(me)).length;
      await rig.deliver(rig.say(await openIdOf(me), "我的任务"));
      await rig.settle();
      const fresh = since(await openIdOf(me), n).filter((m) => m.msg_type === "interactive");
      expect(fresh.length).toBeGreaterThan(0);
      for (const m of fresh) expect(JSON.stringify(m.card)).not.toContain("sensitive_phone");
      expect(await rig.db.outboxMessage.count({ where: { status: "failed" } })).toBe(0);
    } finally {
      rig.fake.sensitivePattern = null;
    }
  });
});

describe("the result form checks dates against the task, the reveal and today, and lists every problem at once (spec §8)", () => {
  it("refuses a 检查日期 before the task's 开始日期 or before the reveal, naming the field, with the other problems in the same reply", async () => {
    // A team untouched by the tests above (no result, no recusal).
    const busy = new Set([
      ...(await rig.db.result.findMany()).map((r) => r.targetId),
      ...(await rig.db.recusalRequest.findMany()).map((r) => r.targetId),
    ]);
    const team = currentTeams(record).find((t) => !busy.has(t.targetId))!;
    const me = team.inspectorIds[0]!;
    const a = await rig.db.assignment.findFirstOrThrow({ where: { drawId, targetId: team.targetId, inspectorId: me } });
    const start = (await rig.db.task.findUniqueOrThrow({ where: { code: "T2026-03" } })).startDate;
    const early = await rig.press(
      await openIdOf(me),
      { action: "result.submit", assignmentId: a.id },
      { inspection_date: "2026-04-30 +0800", category: "未发现问题", disposal: "立案调查" },
    );
    expect(early.toast).toEqual({
      type: "error",
      content: `检查日期：不能早于任务开始日期（${start}）\n后续处置：「未发现问题」不应选择后续处置`,
    });
    const beforeReveal = await rig.press(
      await openIdOf(me),
      { action: "result.submit", assignmentId: a.id },
      { inspection_date: "2026-05-02 +0800", category: "未发现问题" },
    );
    expect(beforeReveal.toast).toEqual({ type: "error", content: `检查日期：不能早于抽取揭示日期（${today}）` });
    expect(await rig.db.result.count({ where: { drawId, targetId: team.targetId } })).toBe(0);
  });
});

describe("list cards are paged under Feishu's 30 KB", () => {
  it("计划 with hundreds of tasks arrives as numbered cards, none refused", async () => {
    const item = await rig.db.item.findFirstOrThrow();
    for (let k = 0; k < 400; k++) {
      await rig.db.task.create({
        data: {
          code: `TP-${String(k).padStart(3, "0")}`,
          name: `2099年${"道路运输经营行为双随机抽查".repeat(3)}${k}`,
          year: 2099,
          itemCode: item.code,
          startDate: "2099-01-01",
          endDate: "2099-12-31",
        },
      });
    }
    const chat = "oc_p2p_plan";
    rig.fake.addChat(chat, "私聊", [DEMO_OPEN_IDS.leader]);
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "计划 2099", chat, "p2p"));
    await rig.settle();
    const cards = rig.fake.sentTo(chat);
    expect(cards.length).toBeGreaterThan(1);
    expect(await rig.db.outboxMessage.count({ where: { status: "failed" } })).toBe(0);
    cards.forEach((c, k) => expect(cardTitle(c)).toBe(`2099 年度抽查计划（第 ${k + 1}/${cards.length} 页）`));
    const all = cards.map((c) => JSON.stringify(c.card)).join("");
    for (let k = 0; k < 400; k++) expect(all).toContain(`TP-${String(k).padStart(3, "0")}`);
  });
});
