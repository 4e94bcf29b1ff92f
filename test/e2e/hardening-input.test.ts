import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cellBombXlsx, targetsCsv } from "../../bench/import-files";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { FAKE, messageEvent } from "../helpers/lark";

let rig: BotRig;
const ADMIN_CHAT = "oc_p2p_admin_hardening";
let seq = 0;

function sendFile(fileName: string, bytes: Buffer) {
  seq++;
  const messageId = `om_hfile_${seq}`;
  rig.fake.files.set(`${messageId}/hfile_key_${seq}`, bytes);
  const e = messageEvent({
    eventId: `ev-hfile-${seq}`,
    messageId,
    text: "",
    sender: DEMO_OPEN_IDS.admin,
    chatId: ADMIN_CHAT,
    chatType: "p2p",
  });
  e.event.message.message_type = "file";
  e.event.message.content = JSON.stringify({ file_key: `hfile_key_${seq}`, file_name: fileName });
  return rig.deliver(e);
}
const lastReply = () => rig.textOf(rig.fake.sentTo(ADMIN_CHAT).at(-1)!);

beforeAll(async () => {
  rig = await startBotRig({ IMPORT_MAX_BYTES: "65536" });
  rig.fake.addChat(ADMIN_CHAT, "私聊", [DEMO_OPEN_IDS.admin]);
});
afterAll(async () => rig.stop());

describe("hostile files sent in chat", () => {
  it("the cell bomb gets a clear refusal, the event is done (never retried) and the bot stays healthy", async () => {
    const targets = await rig.db.target.count();
    expect((await sendFile("名录.xlsx", await cellBombXlsx())).status).toBe(200);
    await rig.settle();
    expect(lastReply()).toContain("未导入");
    expect(lastReply()).toContain("范围过大");
    const event = await rig.db.inboxEvent.findFirstOrThrow({ where: { eventId: `ev-hfile-${seq}` } });
    expect(event).toMatchObject({ status: "done", attempts: 1 });
    expect(await rig.db.target.count()).toBe(targets);
    expect((await fetch(`${rig.base}/healthz`)).status).toBe(200);
    // ... and it still answers
    await rig.deliver(
      messageEvent({
        eventId: `ev-help-${seq}`,
        messageId: `om_help_${seq}`,
        text: "帮助",
        sender: DEMO_OPEN_IDS.admin,
        chatId: ADMIN_CHAT,
        chatType: "p2p",
      }),
    );
    await rig.settle();
    expect(lastReply()).toContain("计划");
  });

  it("a file over IMPORT_MAX_BYTES is refused without being read whole, and the event is done", async () => {
    const big = targetsCsv(1000);
    expect(big.length).toBeGreaterThan(65536);
    await sendFile("名录.csv", big);
    await rig.settle();
    expect(lastReply()).toContain("文件过大");
    expect(lastReply()).toContain("IMPORT_MAX_BYTES");
    expect(await rig.db.inboxEvent.findFirstOrThrow({ where: { eventId: `ev-hfile-${seq}` } })).toMatchObject({
      status: "done",
    });
  });
});

describe("task codes are case-insensitive in chat", () => {
  it("抽取 t2026-02 draws T2026-02; 进度 t2026-02 finds it", async () => {
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 t2026-02"));
    await rig.settle();
    expect(await rig.db.draw.findFirst({ where: { taskCode: "T2026-02", status: "committed" } })).not.toBeNull();
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "进度 t2026-02"));
    await rig.settle();
    const last = rig.fake.sentTo(FAKE.group).at(-1)!;
    expect(rig.textOf(last)).toContain("T2026-02");
    expect(rig.textOf(last)).not.toContain("找不到任务编号");
  });
});
