import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import type { DrawRecord } from "../../src/domain/draw/types";
import { verify } from "../../src/domain/draw/verify";
import type { Db } from "../../src/store/db";
import { startBotRig, STRANGER, type BotRig } from "../helpers/botRig";
import { bureauYear } from "../helpers/clock";
import { FAKE, messageEvent } from "../helpers/lark";

const GROUP = FAKE.group;
const LEADER = DEMO_OPEN_IDS.leader; // 领导;执法人员 in the demo roster
const WITNESS = DEMO_OPEN_IDS.legal; // 法制员: registered staff, not the orderer
const INSPECTOR = DEMO_OPEN_IDS.inspectorA; // 执法人员 only

let rig: BotRig;
let fake: BotRig["fake"];
let db: Db;
let deliver: BotRig["deliver"];
let say: BotRig["say"];
let click: BotRig["click"];
let textOf: BotRig["textOf"];
let settle: BotRig["settle"];

beforeAll(async () => {
  rig = await startBotRig();
  ({ fake, db, deliver, say, click, textOf, settle } = rig);
});

afterAll(async () => rig.stop());

describe("the public draw, driven the way Feishu drives it", () => {
  let drawId = "";

  it("a leader's 抽取 posts the commitment card to the group (nothing revealed yet)", async () => {
    expect((await deliver(say(LEADER, "抽取 T2026-01"))).status).toBe(200);
    await settle();
    const cards = fake.sentTo(GROUP).filter((m) => m.msg_type === "interactive");
    expect(cards).toHaveLength(1);
    const card = cards[0]!.card as {
      header: { title: { content: string } };
      body: { elements: { tag: string; name?: string }[] };
    };
    expect(card.header.title.content).toBe("抽取承诺 · T2026-01");
    expect(card.body.elements.some((e) => e.tag === "form" && e.name === "witness_form")).toBe(true);
    const draw = await db.draw.findFirstOrThrow({ where: { taskCode: "T2026-01" } });
    drawId = draw.id;
    expect(draw).toMatchObject({
      status: "committed",
      messageId: cards[0]!.message_id,
      chatId: GROUP,
      orderedBy: LEADER,
    });
    expect(JSON.stringify(card)).toContain(draw.commitment);
    expect(JSON.stringify(card)).not.toContain(draw.serverSeed);
  });

  it("a second 抽取 of the same task is refused with a clear message", async () => {
    await deliver(say(LEADER, "抽取 T2026-01"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toMatch(/已有待见证的抽取/);
    expect(await db.draw.count()).toBe(1);
  });

  it("the orderer can't witness; a stranger clicking a forwarded card changes nothing", async () => {
    const own = await (
      await deliver(click(LEADER, { action: "draw.confirm", drawId }, { entropy: "1-2-3" }), "/lark/cards")
    ).json();
    expect(own).toEqual({ toast: { type: "error", content: "见证人不能是发起抽取的人，请由其他工作人员确认" } });
    const stranger = await (
      await deliver(click(STRANGER, { action: "draw.confirm", drawId }, { entropy: "1-2-3" }), "/lark/cards")
    ).json();
    expect(stranger).toMatchObject({ toast: { type: "error" } });
    const noEntropy = await (
      await deliver(click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "  " }), "/lark/cards")
    ).json();
    expect(noEntropy).toMatchObject({ toast: { type: "error", content: "请先在输入框填写见证随机数" } });
    expect((await db.draw.findUniqueOrThrow({ where: { id: drawId } })).status).toBe("committed");
  });

  it("the witness confirms: the card turns into the revealed card and the announcement follows", async () => {
    const res = await deliver(
      click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "掷骰 3-6-1-4" }),
      "/lark/cards",
    );
    const answer = (await res.json()) as {
      toast: { type: string; content: string };
      card: { type: string; data: { header: { title: { content: string } } } };
    };
    expect(answer.toast.type).toBe("success");
    expect(answer.card.type).toBe("raw");
    expect(answer.card.data.header.title.content).toBe("抽取已揭示 · T2026-01");
    await settle();
    const draw = await db.draw.findUniqueOrThrow({ where: { id: drawId } });
    expect(draw).toMatchObject({ status: "revealed", witnessOpenId: WITNESS });
    const record = JSON.parse(draw.record) as DrawRecord;
    expect(verify(record).ok).toBe(true);
    const announcement = fake
      .sentTo(GROUP)
      .filter((m) => m.msg_type === "interactive")
      .at(-1)!;
    expect((announcement.card as { header: { title: { content: string } } }).header.title.content).toBe(
      "双随机抽查结果公告 · T2026-01",
    );
    for (const t of record.selection.targets) expect(JSON.stringify(announcement.card)).toContain(t.id);
    expect(JSON.stringify(announcement.card)).toContain(record.seed);
  });

  it("a double click reveals nothing new and posts no second announcement", async () => {
    const before = fake.messages.length;
    const again = (await (
      await deliver(click(WITNESS, { action: "draw.confirm", drawId }, { entropy: "other" }), "/lark/cards")
    ).json()) as { toast: { content: string } };
    expect(again.toast.content).toBe("这次抽取已经揭示过了");
    await settle();
    expect(fake.messages.length).toBe(before);
  });

  it("a non-leader's 抽取 is refused politely, naming the role", async () => {
    await deliver(say(INSPECTOR, "抽取 T2026-03"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toBe("抱歉，「抽取」仅限领导、管理员使用。");
    expect(await db.draw.count({ where: { taskCode: "T2026-03" } })).toBe(0);
  });

  it("the orderer can cancel a committed draw on the card; the attempt stays listed", async () => {
    await deliver(say(LEADER, "抽取T2026-03"));
    await settle();
    const draw = await db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } });
    const byOther = (await (
      await deliver(click(WITNESS, { action: "draw.cancel", drawId: draw.id }), "/lark/cards")
    ).json()) as { toast: { content: string } };
    expect(byOther.toast.content).toBe("只有发起人、领导或管理员可以取消抽取");
    const res = (await (
      await deliver(click(LEADER, { action: "draw.cancel", drawId: draw.id }, { reason: "号池需更新" }), "/lark/cards")
    ).json()) as { card: { data: { header: { title: { content: string } } } } };
    expect(res.card.data.header.title.content).toBe("抽取已取消 · T2026-03");
    expect((await db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("cancelled");
  });
});

describe("chat commands", () => {
  it("进度, 我的任务, 计划 and 统计 answer with the registers' figures; unknown words get a hint", async () => {
    await deliver(say(LEADER, "进度 T2026-01"));
    await settle();
    expect(textOf(fake.sentTo(GROUP).at(-1)!)).toMatch(/T2026-01.*已抽取.*抽中 6｜已接受 0｜已提交 0/);

    const p2p = "oc_p2p_leader";
    fake.addChat(p2p, "私聊", [LEADER]);
    await deliver(say(LEADER, "我的任务", p2p, "p2p"));
    await deliver(say(LEADER, "计划 2026", p2p, "p2p"));
    await deliver(say(LEADER, "统计", p2p, "p2p"));
    await deliver(say(LEADER, "抽签", p2p, "p2p"));
    await settle();
    const replies = fake.sentTo(p2p).map(textOf);
    expect(replies).toHaveLength(3); // 我的任务 answers privately, to the person (below)
    expect(replies[0]).toMatch(/2026 年度抽查计划/);
    expect(replies[1]).toContain(`${bureauYear()} 年度统计`); // 统计 without a year: the bureau's current year
    expect(replies[2]).toBe("没有「抽签」这个命令。发送「帮助」查看可用命令。");
    expect(fake.sentTo(LEADER).map(textOf)).toContainEqual(
      expect.stringMatching(/^您有 \d+ 项待办|^您目前没有待办事项。$/),
    );
  });

  it("group chatter without an @mention is ignored, and a duplicate delivery answers once", async () => {
    const before = fake.sentTo(GROUP).length;
    const plain = messageEvent({
      eventId: "ev-quiet",
      messageId: "om_quiet",
      text: "抽取 T2026-02",
      sender: LEADER,
      chatId: GROUP,
      chatType: "group",
    });
    await deliver(plain);
    const help = say(LEADER, "帮助");
    await deliver(help);
    await deliver(help);
    await settle();
    const after = fake.sentTo(GROUP).slice(before);
    expect(after).toHaveLength(1);
    expect(textOf(after[0]!)).toContain("双随机抽查助手 · 命令");
    expect(await db.draw.count({ where: { taskCode: "T2026-02" } })).toBe(0);
  });
});

describe("the published files", () => {
  it("the record JSON and the drawn list (.xlsx) follow the announcement as file messages; the record verifies", async () => {
    const files = fake.sentTo(FAKE.group).filter((m) => m.msg_type === "file");
    expect(files).toHaveLength(2);
    const uploads = files.map((m) => fake.uploads.get((JSON.parse(m.content) as { file_key: string }).file_key)!);
    expect(uploads.map((u) => u.fileName)).toEqual([
      "抽取记录-T2026-01-1.json",
      "抽取记录-T2026-01-1.json".replace("记录", "名单").replace(".json", ".xlsx"),
    ]);
    const record = JSON.parse(uploads[0]!.bytes.toString("utf8")) as DrawRecord;
    expect(verify(record).ok).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(uploads[1]!.bytes as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet("抽取结果")!;
    expect(sheet.rowCount).toBe(record.selection.targets.length + 1);
    expect(record.selection.targets.map((t, k) => sheet.getRow(k + 2).getCell(3).value)).toEqual(
      record.selection.targets.map((t) => t.id),
    );
  });
});
