import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { FAKE } from "../helpers/lark";

let rig: BotRig;
const P2P = "oc_p2p_leader_cancel";
const cardTitle = (m: { card?: Record<string, unknown> }) =>
  (m.card as { header: { title: { content: string } } } | undefined)?.header.title.content;
const lastGroupText = () => rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!);
const commitCardOf = async (drawId: string) => {
  const draw = await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } });
  return rig.fake.sentTo(FAKE.group).find((m) => m.message_id === draw.messageId)!;
};
async function order(task: string) {
  await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, `抽取 ${task}`));
  await rig.settle();
  return rig.db.draw.findFirstOrThrow({ where: { taskCode: task, status: "committed" } });
}

beforeAll(async () => {
  rig = await startBotRig();
  rig.fake.addChat(P2P, "私聊", [DEMO_OPEN_IDS.leader]);
});
afterAll(async () => rig.stop());

describe("取消抽取: a draw waiting for its witness can be cancelled, with a reason, by the orderer, a 领导 or a 管理员", () => {
  it("in a private chat the command gets a hint to use the group", async () => {
    const draw = await order("T2026-03");
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "取消抽取 T2026-03 号池有误", P2P, "p2p"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(P2P).at(-1)!)).toMatch(/^「取消抽取」是公开行为，请在工作群中 @我/);
    expect((await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("committed");
  });

  it("refuses others and a missing reason; a 管理员 cancels: card 「已取消」, group told who and why, audited, task drawable again", async () => {
    const draw = await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03", status: "committed" } });
    await rig.deliver(rig.say(DEMO_OPEN_IDS.inspectorA, "取消抽取 T2026-03 不想查"));
    await rig.settle();
    expect(lastGroupText()).toBe("抱歉，只有发起本次抽取的人、领导或管理员可以取消抽取。");
    await rig.deliver(rig.say(DEMO_OPEN_IDS.admin, "取消抽取 T2026-03"));
    await rig.settle();
    expect(lastGroupText()).toMatch(/^请写明任务编号和取消原因/);
    expect((await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("committed");

    await rig.deliver(rig.say(DEMO_OPEN_IDS.admin, "取消抽取 t2026-03 号池数据有误 需重新导入"));
    await rig.settle();
    expect(await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).toMatchObject({
      status: "cancelled",
      cancelReason: "号池数据有误 需重新导入",
      cancelledBy: DEMO_OPEN_IDS.admin,
    });
    const card = await commitCardOf(draw.id);
    expect(cardTitle(card)).toBe("抽取已取消 · T2026-03");
    expect(JSON.stringify(card.card)).toContain("号池数据有误 需重新导入");
    expect(lastGroupText()).toBe(
      `【取消抽取】钱管理 取消了任务 T2026-03 的抽取（${draw.id}），原因：号池数据有误 需重新导入。本次承诺作废，记录保留备查，该任务可重新抽取。`,
    );
    const audit = await rig.db.auditLog.findFirstOrThrow({ where: { action: "draw.cancel", entityId: draw.id } });
    expect(audit.actor).toBe(DEMO_OPEN_IDS.admin);
    expect(JSON.parse(audit.data)).toMatchObject({ reason: "号池数据有误 需重新导入", serverSeed: draw.serverSeed });

    const again = await order("T2026-03");
    expect(again.attempt).toBe(2);
  });

  it("the card's 「取消本次抽取」 asks for the reason (a form); a 领导 who did not order may cancel", async () => {
    const draw = await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03", status: "committed" } });
    const card = JSON.stringify((await commitCardOf(draw.id)).card);
    expect(card).toContain('"name":"cancel_form"');
    expect(card).toMatch(/"tag":"input","name":"reason","required":true/);

    expect(
      (await rig.press(DEMO_OPEN_IDS.inspectorA, { action: "draw.cancel", drawId: draw.id }, { reason: "x" })).toast
        ?.content,
    ).toBe("只有发起人、领导或管理员可以取消抽取");
    expect(
      (await rig.press(DEMO_OPEN_IDS.leader, { action: "draw.cancel", drawId: draw.id }, { reason: "  " })).toast,
    ).toEqual({ type: "error", content: "取消原因：必填" });
    const done = await rig.press(
      DEMO_OPEN_IDS.leader,
      { action: "draw.cancel", drawId: draw.id },
      { reason: "见证人未到场" },
    );
    expect(done.card?.data.header.title.content).toBe("抽取已取消 · T2026-03");
    expect(JSON.stringify(done.card)).toContain("见证人未到场");
    await rig.settle();
    expect(lastGroupText()).toMatch(/^【取消抽取】李局长 取消了任务 T2026-03 的抽取.*原因：见证人未到场/);
    expect((await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("cancelled");
  });

  it("a revealed draw can't be cancelled", async () => {
    const draw = await order("T2026-03");
    await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId: draw.id }, { entropy: "5-5-5" });
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "取消抽取 T2026-03 改期"));
    await rig.settle();
    expect(JSON.stringify(rig.fake.sentTo(FAKE.group).at(-1)!.card)).toContain(
      `任务 T2026-03 的抽取（${draw.id}）已由见证人确认揭示，不能取消`,
    );
    expect(
      (await rig.press(DEMO_OPEN_IDS.leader, { action: "draw.cancel", drawId: draw.id }, { reason: "x" })).toast
        ?.content,
    ).toBe("这次抽取已经揭示，不能取消");
    expect((await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("revealed");
  });

  it("drbot draw cancel <任务编号> --reason <文本> does the same; the running bot tells the group", async () => {
    const draw = await order("T2026-02");
    const file = (
      await rig.db.$queryRawUnsafe<{ file: string }[]>("SELECT file FROM pragma_database_list WHERE name = 'main'")
    )[0]!.file;
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      DATABASE_URL: `file:${file}`,
      LARK_APP_ID: FAKE.appId,
      LARK_APP_SECRET: FAKE.appSecret,
      LARK_ENCRYPT_KEY: FAKE.encryptKey,
      LARK_VERIFICATION_TOKEN: FAKE.token,
      LARK_DOMAIN: "http://127.0.0.1:9",
    };
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t), now: () => new Date() };
    expect(await runCli(["draw", "cancel", "T2026-02"], io, env)).toBe(1);
    expect(err.join("\n")).toMatch(/--reason/);
    expect(await runCli(["draw", "cancel", "T2026-02", "--reason", "计划调整"], io, env)).toBe(0);
    expect(out.join("\n")).toMatch(/已取消抽取 T2026-02-1（原因：计划调整）/);
    expect(await rig.db.draw.findUniqueOrThrow({ where: { id: draw.id } })).toMatchObject({
      status: "cancelled",
      cancelledBy: "cli",
    });
    expect(await runCli(["draw", "cancel", "T2026-02", "--reason", "再取消"], io, env)).toBe(1);
    expect(err.join("\n")).toMatch(/没有等待见证的抽取/);
    // Any event wakes the bot's outbox; the card turns 「已取消」 and the group is told.
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "帮助"));
    await rig.settle();
    expect(cardTitle(await commitCardOf(draw.id))).toBe("抽取已取消 · T2026-02");
    expect(
      rig.fake
        .sentTo(FAKE.group)
        .some((m) => rig.textOf(m).startsWith("【取消抽取】命令行 取消了任务 T2026-02 的抽取")),
    ).toBe(true);
  });
});
