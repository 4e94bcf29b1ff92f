import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main";
import { whoIs } from "../../src/bot/roles";
import { demoCsv, DEMO_OPEN_IDS } from "../../src/demo/data";
import { currentTeams, replacementFor } from "../../src/domain/draw/amend";
import type { DrawRecord } from "../../src/domain/draw/types";
import { verifyAuditChain } from "../../src/store/audit";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { tempDir } from "../helpers/db";
import { FAKE, messageEvent } from "../helpers/lark";

let rig: BotRig;
let drawId = "";
const ADMIN_CHAT = "oc_p2p_admin_rights";
const cardTitle = (m: { card?: Record<string, unknown> }) =>
  (m.card as { header: { title: { content: string } } } | undefined)?.header.title.content;
const person = (certNo: string) => rig.db.inspector.findUniqueOrThrow({ where: { certNo } });
const recordOf = async () =>
  JSON.parse((await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } })).record) as DrawRecord;
let fileSeq = 0;

/** The admin re-imports the roster in private chat with some rows changed (the real import path). */
async function reimportRoster(change: (cells: Record<string, string>) => void) {
  const [head, ...rows] = demoCsv().inspectors.trim().split("\n");
  const headers = head!.split(",");
  const lines = rows.map((line) => {
    const cells = Object.fromEntries(line.split(",").map((v, k) => [headers[k]!, v]));
    change(cells);
    return headers.map((h) => cells[h] ?? "").join(",");
  });
  fileSeq++;
  const messageId = `om_roster_${fileSeq}`;
  rig.fake.files.set(`${messageId}/fk_${fileSeq}`, Buffer.from([head, ...lines].join("\n") + "\n"));
  const e = messageEvent({
    eventId: `ev-roster-${fileSeq}`,
    messageId,
    text: "",
    sender: DEMO_OPEN_IDS.admin,
    chatId: ADMIN_CHAT,
    chatType: "p2p",
  });
  e.event.message.message_type = "file";
  e.event.message.content = JSON.stringify({ file_key: `fk_${fileSeq}`, file_name: "人员.csv" });
  await rig.deliver(e);
  await rig.settle();
}

beforeAll(async () => {
  rig = await startBotRig();
  rig.fake.addChat(ADMIN_CHAT, "私聊", [DEMO_OPEN_IDS.admin]);
  await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-01"));
  await rig.settle();
  drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-01" } })).id;
  await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId }, { entropy: "3-1-4-1-5" });
  await rig.settle();
});
afterAll(async () => rig.stop());

/** An ordinary inspector (not the leader) on the draw, and one of their targets. */
async function someInspector(skip: string[] = []) {
  const leader = (await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } })).certNo;
  const teams = currentTeams(await recordOf());
  for (const t of teams)
    for (const id of t.inspectorIds)
      if (id !== leader && !skip.includes(id)) return { certNo: id, targetId: t.targetId };
  throw new Error("no inspector");
}

describe("rights that match the roster (§5)", () => {
  it("a 领导 can't approve their own recusal; another 领导 or a 管理员 decides", async () => {
    const { certNo, targetId } = await someInspector();
    // This inspector is also a 领导 now.
    await rig.db.inspector.update({ where: { certNo }, data: { roles: "领导;执法人员" } });
    const me = (await person(certNo)).openId!;
    const a = await rig.db.assignment.findUniqueOrThrow({
      where: { drawId_targetId_inspectorId: { drawId, targetId, inspectorId: certNo } },
    });
    const asked = await rig.press(me, { action: "task.recuse", assignmentId: a.id }, { reason: "亲属持股" });
    expect(asked.toast?.content).toBe("回避申请已提交领导审批");
    await rig.settle();
    // The approval card goes to the other 领导 and to the 管理员, never to the one asking.
    expect(rig.fake.sentTo(me).some((m) => cardTitle(m) === "回避申请 · 待审批")).toBe(false);
    expect(rig.fake.sentTo(DEMO_OPEN_IDS.leader).some((m) => cardTitle(m) === "回避申请 · 待审批")).toBe(true);
    expect(rig.fake.sentTo(DEMO_OPEN_IDS.admin).some((m) => cardTitle(m) === "回避申请 · 待审批")).toBe(true);
    const requestId = (await rig.db.recusalRequest.findFirstOrThrow({ where: { inspectorId: certNo } })).id;

    const self = await rig.press(me, { action: "recusal.approve", requestId });
    expect(self.toast).toEqual({ type: "error", content: "不能审批本人的回避申请，须由其他领导或管理员审批" });
    expect(await rig.db.recusalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "pending",
    });

    const byAdmin = await rig.press(DEMO_OPEN_IDS.admin, { action: "recusal.approve", requestId });
    expect(byAdmin.card?.data.header.title.content).toBe("回避申请 · 已批准");
    expect(await rig.db.recusalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "approved",
      decidedBy: DEMO_OPEN_IDS.admin,
    });
    await rig.db.inspector.update({ where: { certNo }, data: { roles: "执法人员" } });
    await rig.settle();
  });

  it("when nobody else may approve, the request is refused saying so, and nothing changes", async () => {
    const { certNo, targetId } = await someInspector();
    await rig.db.inspector.update({ where: { certNo }, data: { roles: "领导;执法人员" } });
    await rig.db.inspector.updateMany({
      where: { openId: { in: [DEMO_OPEN_IDS.leader, DEMO_OPEN_IDS.admin] } },
      data: { status: "离岗" },
    });
    try {
      const a = await rig.db.assignment.findUniqueOrThrow({
        where: { drawId_targetId_inspectorId: { drawId, targetId, inspectorId: certNo } },
      });
      const asked = await rig.press(
        (await person(certNo)).openId!,
        { action: "task.recuse", assignmentId: a.id },
        { reason: "亲属持股" },
      );
      expect(asked.toast?.type).toBe("error");
      expect(asked.toast?.content).toMatch(/没有其他在岗的领导或管理员可以审批/);
      expect((await rig.db.assignment.findUniqueOrThrow({ where: { id: a.id } })).status).toBe(a.status);
      expect(await rig.db.recusalRequest.count({ where: { inspectorId: certNo, targetId } })).toBe(0);
    } finally {
      await rig.db.inspector.update({ where: { certNo }, data: { roles: "执法人员" } });
      await rig.db.inspector.updateMany({
        where: { openId: { in: [DEMO_OPEN_IDS.leader, DEMO_OPEN_IDS.admin] } },
        data: { status: "在岗" },
      });
    }
  });

  it("离岗 staff lose every role at once; only BOT_ADMIN_OPEN_IDS stay 管理员", async () => {
    const leader = await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } });
    await rig.db.inspector.update({ where: { certNo: leader.certNo }, data: { status: "离岗" } });
    try {
      const p = await whoIs(rig.db, DEMO_OPEN_IDS.leader, []);
      expect([...p.roles]).toEqual([]);
      expect(p.registered).toBe(false);
      const configured = await whoIs(rig.db, DEMO_OPEN_IDS.leader, [DEMO_OPEN_IDS.leader]);
      expect([...configured.roles]).toEqual(["管理员"]);
      // In chat: the departed 领导 can no longer order a draw.
      await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-03"));
      await rig.settle();
      expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toBe(
        "抱歉，「抽取」仅限领导、管理员使用。您在名录库中的状态为离岗。",
      );
      expect(await rig.db.draw.count({ where: { taskCode: "T2026-03" } })).toBe(0);
    } finally {
      await rig.db.inspector.update({ where: { certNo: leader.certNo }, data: { status: "在岗" } });
    }
  });

  it("someone set 离岗 by a roster import while holding open assignments: a 领导 confirms the withdrawal, the replacement gets the task, the group is told", async () => {
    // The draw's seed is random, and the 领导 is in the pool: pick someone whose first replacement (set 离岗
    // below) isn't the 领导 who must confirm, or the confirming click would rightly be refused as 离岗.
    const leaderCertNo = (await rig.db.inspector.findFirstOrThrow({ where: { openId: DEMO_OPEN_IDS.leader } })).certNo;
    const start = await recordOf();
    const openOf = (id: string) =>
      rig.db.assignment.findMany({
        where: { drawId, inspectorId: id, status: { in: ["assigned", "accepted"] } },
        orderBy: { id: "asc" },
      });
    const tried: string[] = [];
    let certNo = (await someInspector()).certNo;
    const firstReplacementOf = async (id: string) => {
      const [first] = await openOf(id);
      return first ? replacementFor(start, id, first.targetId, start.amendments) : null;
    };
    while ((await firstReplacementOf(certNo)) === leaderCertNo) {
      tried.push(certNo);
      certNo = (await someInspector(tried)).certNo;
    }
    const gone = await person(certNo);
    const open = await openOf(certNo);
    expect(open.length).toBeGreaterThan(0);
    await reimportRoster((c) => {
      if (c["执法证号"] === certNo) c["状态"] = "离岗";
    });
    expect((await person(certNo)).status).toBe("离岗");

    // The departed person can't act on their cards any more.
    const click = await rig.press(gone.openId!, { action: "task.accept", assignmentId: open[0]!.id });
    expect(click.toast?.content).toBe("您在名录库中的状态为离岗，不能操作此卡片");

    // The 领导 got one card listing them, with 「确认撤换」; nobody else did.
    const asks = rig.fake.sentTo(DEMO_OPEN_IDS.leader).filter((m) => cardTitle(m) === "人员撤换 · 待确认");
    expect(asks).toHaveLength(1);
    for (const a of open) expect(JSON.stringify(asks[0]!.card)).toContain(a.targetId);
    expect(rig.fake.sentTo(DEMO_OPEN_IDS.legal).some((m) => cardTitle(m) === "人员撤换 · 待确认")).toBe(false);
    // The same roster again asks nothing twice.
    await reimportRoster((c) => {
      if (c["执法证号"] === certNo) c["状态"] = "离岗";
    });
    expect(rig.fake.sentTo(DEMO_OPEN_IDS.leader).filter((m) => cardTitle(m) === "人员撤换 · 待确认")).toHaveLength(1);

    // Only a 领导 confirms.
    expect((await rig.press(DEMO_OPEN_IDS.legal, { action: "withdrawal.confirm", certNo })).toast?.content).toBe(
      "仅限领导操作",
    );
    const before = await recordOf();
    // The frozen pool can't know who else left: the first replacement has gone 离岗 too, so the 领导 is asked about them next.
    const firstReplacement = replacementFor(before, certNo, open[0]!.targetId, before.amendments);
    await rig.db.inspector.update({ where: { certNo: firstReplacement }, data: { status: "离岗" } });
    const done = await rig.press(DEMO_OPEN_IDS.leader, { action: "withdrawal.confirm", certNo });
    expect(done.toast?.type, done.toast?.content).toBe("success");
    expect(done.card?.data.header.title.content).toBe("人员撤换 · 已确认");
    await rig.settle();

    // The record gains one withdrawal amendment per target, replacements chosen exactly as for a recusal.
    const after = await recordOf();
    const added = after.amendments.slice(before.amendments.length);
    expect(added.map((x) => [x.kind, x.inspectorId, x.targetId])).toEqual(
      open.map((a) => ["withdrawal", certNo, a.targetId]),
    );
    added.forEach((x, k) =>
      expect(x.replacementId).toBe(
        replacementFor(after, x.inspectorId, x.targetId, after.amendments.slice(0, before.amendments.length + k)),
      ),
    );
    for (const x of added) {
      expect(currentTeams(after).find((t) => t.targetId === x.targetId)!.inspectorIds).toContain(x.replacementId);
      expect(
        await rig.db.assignment.findUniqueOrThrow({
          where: { drawId_targetId_inspectorId: { drawId, targetId: x.targetId, inspectorId: certNo } },
        }),
      ).toMatchObject({ status: "withdrawn" });
      const replacement = await rig.db.assignment.findUniqueOrThrow({
        where: { drawId_targetId_inspectorId: { drawId, targetId: x.targetId, inspectorId: x.replacementId } },
      });
      expect(replacement.cardMessageId).toBeTruthy();
      const card = rig.fake
        .sentTo((await person(x.replacementId)).openId!)
        .find((m) => m.message_id === replacement.cardMessageId);
      expect(JSON.stringify(card?.card)).toContain(x.targetId);
      expect(
        rig.fake
          .sentTo(FAKE.group)
          .some((m) => rig.textOf(m).startsWith("【撤换】") && rig.textOf(m).includes(x.targetId)),
      ).toBe(true);
    }
    expect(await rig.db.auditLog.count({ where: { action: "draw.withdrawal" } })).toBe(open.length);
    const next = rig.fake
      .sentTo(DEMO_OPEN_IDS.leader)
      .filter((m) => cardTitle(m) === "人员撤换 · 待确认")
      .at(-1)!;
    expect(JSON.stringify(next.card)).toContain(firstReplacement);
    await rig.db.inspector.update({ where: { certNo: firstReplacement }, data: { status: "在岗" } });
    expect(await verifyAuditChain(rig.db)).toMatchObject({ ok: true });
    // A second click changes nothing.
    expect((await rig.press(DEMO_OPEN_IDS.leader, { action: "withdrawal.confirm", certNo })).toast?.content).toBe(
      "已经撤换过了，没有未完成的任务",
    );
    expect((await recordOf()).amendments).toHaveLength(after.amendments.length);
  });

  it("drbot import inspectors that sets someone 离岗 asks the 领导s too (the running bot sends the card)", async () => {
    const first = (await rig.db.assignment.findFirstOrThrow({ where: { status: "withdrawn" } })).inspectorId;
    const { certNo } = await someInspector([first]);
    const [head, ...rows] = demoCsv().inspectors.trim().split("\n");
    const headers = head!.split(",");
    const lines = rows.map((line) => {
      const cells = Object.fromEntries(line.split(",").map((v, k) => [headers[k]!, v]));
      if (cells["执法证号"] === certNo || cells["执法证号"] === first) cells["状态"] = "离岗";
      return headers.map((h) => cells[h] ?? "").join(",");
    });
    const csvFile = path.join(tempDir(), "inspectors.csv");
    writeFileSync(csvFile, [head, ...lines].join("\n") + "\n");
    const dbFile = (
      await rig.db.$queryRawUnsafe<{ file: string }[]>("SELECT file FROM pragma_database_list WHERE name = 'main'")
    )[0]!.file;
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: () => undefined, now: () => new Date() };
    expect(
      await runCli(["import", "inspectors", csvFile], io, {
        DATABASE_URL: `file:${dbFile}`,
        LARK_APP_ID: undefined,
        LARK_APP_SECRET: undefined,
      }),
    ).toBe(0);
    expect(out.join("\n")).toContain("1 名离岗人员仍有未完成的检查任务，已请领导在卡片上确认撤换");
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "帮助")); // any event wakes the bot's outbox
    await rig.settle();
    const ask = rig.fake
      .sentTo(DEMO_OPEN_IDS.leader)
      .filter((m) => cardTitle(m) === "人员撤换 · 待确认")
      .at(-1)!;
    expect(JSON.stringify(ask.card)).toContain(certNo);
  });
});
