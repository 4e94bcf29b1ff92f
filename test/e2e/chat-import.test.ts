import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { startBotRig, type BotRig } from "../helpers/botRig";
import { messageEvent } from "../helpers/lark";

let rig: BotRig;
const ADMIN_CHAT = "oc_p2p_admin";
let seq = 0;

/** An admin sends a file to the bot in private chat; the simulated Feishu holds its bytes. */
function sendFile(sender: string, fileName: string, bytes: Buffer | null) {
  seq++;
  const messageId = `om_file_${seq}`;
  if (bytes) rig.fake.files.set(`${messageId}/file_key_${seq}`, bytes); // null: Feishu can't serve it
  const e = messageEvent({
    eventId: `ev-file-${seq}`,
    messageId,
    text: "",
    sender,
    chatId: ADMIN_CHAT,
    chatType: "p2p",
  });
  e.event.message.message_type = "file";
  e.event.message.content = JSON.stringify({ file_key: `file_key_${seq}`, file_name: fileName });
  return rig.deliver(e);
}

const lastReply = () => rig.textOf(rig.fake.sentTo(ADMIN_CHAT).at(-1)!);

beforeAll(async () => {
  rig = await startBotRig();
  rig.fake.addChat(ADMIN_CHAT, "私聊", [DEMO_OPEN_IDS.admin, DEMO_OPEN_IDS.inspectorA]);
});
afterAll(async () => rig.stop());

describe("importing a register by sending the file to the bot", () => {
  it("imports a good .csv (kind from the header row) and answers with a summary card", async () => {
    const csv =
      "事项编码,抽查事项,抽查类别,检查对象类型,抽查比例(%)\nJT-CZ-001,出租汽车经营行为的监督检查,一般,巡游出租汽车经营者,5\n";
    await sendFile(DEMO_OPEN_IDS.admin, "新增事项.csv", Buffer.from(csv));
    await rig.settle();
    expect(lastReply()).toMatch(/抽查事项清单导入完成.*共 1 行：新增 1，更新 0，未变 0/);
    expect(await rig.db.item.findUnique({ where: { code: "JT-CZ-001" } })).toMatchObject({ ratioBp: 500 });
  });

  it("refuses a broken file listing every row problem, writing nothing", async () => {
    const before = await rig.db.target.count();
    const csv =
      "统一社会信用代码,名称,对象类型,经营状态\n91330122MA200,甲,货运,存续\n91350100M000100Y44,乙,货运,营业\n";
    await sendFile(DEMO_OPEN_IDS.admin, "名录.csv", Buffer.from(csv));
    await rig.settle();
    const reply = lastReply();
    expect(reply).toContain("未导入：请修改后重新发送");
    expect(reply).toContain("第2行 统一社会信用代码: 应为18位，实际13位");
    expect(reply).toContain("第3行 经营状态: 应为 存续/在业/停业/注销/吊销 之一");
    expect(await rig.db.target.count()).toBe(before);
  });

  it("asks for .xlsx or UTF-8 .csv when sent an .xls, and refuses non-admins", async () => {
    await sendFile(DEMO_OPEN_IDS.admin, "旧格式.xls", Buffer.from("x"));
    await rig.settle();
    expect(lastReply()).toBe("「旧格式.xls」的格式无法导入。请另存为 .xlsx 或 UTF-8 .csv");
    await sendFile(DEMO_OPEN_IDS.inspectorA, "items.csv", Buffer.from("事项编码\n"));
    await rig.settle();
    expect(lastReply()).toBe("抱歉，导入名录仅限管理员使用。");
    expect(rig.fake.calls.filter((c) => c.path.includes("/resources/"))).toHaveLength(2); // the two earlier files only: nothing downloaded for these
  });

  it("resolves a 手机号-only roster row to an open_id through the contact API", async () => {
    rig.fake.addUser("ou_ne0c0e7ne0c0e7ne0c0e7ne0c0e7ne0c", "新同事", "13912345678");
    const csv =
      "执法证号,姓名,所属单位,角色,手机号\n33012299001,新同事,县道路运输管理所,执法人员,13912345678\n33012299002,查无此人,县道路运输管理所,执法人员,13900000000\n";
    await sendFile(DEMO_OPEN_IDS.admin, "人员.csv", Buffer.from(csv));
    await rig.settle();
    expect(lastReply()).toContain("第3行 手机号: 飞书通讯录中找不到手机号 13900000000");
    expect(await rig.db.inspector.findUnique({ where: { certNo: "33012299001" } })).toBeNull(); // all or nothing

    await sendFile(DEMO_OPEN_IDS.admin, "人员.csv", Buffer.from(csv.split("\n").slice(0, 2).join("\n") + "\n"));
    await rig.settle();
    expect(lastReply()).toMatch(/执法检查人员名录库导入完成.*新增 1/);
    expect(await rig.db.inspector.findUnique({ where: { certNo: "33012299001" } })).toMatchObject({
      openId: "ou_ne0c0e7ne0c0e7ne0c0e7ne0c0e7ne0c",
      mobile: "13912345678",
    });
  });

  it("a file Feishu can't serve is answered with a retry hint, and nothing is imported", async () => {
    const before = await rig.db.item.count();
    await sendFile(DEMO_OPEN_IDS.admin, "新增事项.csv", null);
    await rig.settle();
    expect(lastReply()).toBe("文件下载失败，请稍后重新发送。");
    expect(await rig.db.item.count()).toBe(before);
  });
});
