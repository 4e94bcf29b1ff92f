import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import type { Db } from "../../src/store/db";
import { startSandbox } from "../helpers/sandbox";

let base: string;
let db: Db;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ base, db, stop } = await startSandbox());
});
afterAll(async () => stop());

const submit = (path: string, fields: Record<string, string>) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });

describe("npm start sandbox: the simulated Feishu chat", () => {
  it("a person plays leader and witness: 抽取 in the group, confirm on the card, see the result", async () => {
    const page = await (await fetch(`${base}/sandbox?as=${DEMO_OPEN_IDS.leader}`)).text();
    expect(page).toContain("李局长（领导、执法人员）");

    const afterSay = await (
      await submit("/sandbox/say", { as: DEMO_OPEN_IDS.leader, where: "group", text: "抽取 T2026-01" })
    ).text();
    expect(afterSay).toContain("抽取承诺 · T2026-01");
    const draw = await db.draw.findFirstOrThrow({ where: { taskCode: "T2026-01" } });
    const commitCard = draw.messageId!;

    const afterClick = await (
      await submit("/sandbox/click", {
        as: DEMO_OPEN_IDS.legal,
        message: commitCard,
        btn: JSON.stringify({ name: "confirm_draw", value: { action: "draw.confirm", drawId: draw.id } }),
        f_entropy: "3-1-4-1-5",
      })
    ).text();
    expect(afterClick).toContain("抽取已揭示 · T2026-01");
    expect(afterClick).toContain("双随机抽查结果公告 · T2026-01");
    expect(afterClick).toMatch(/抽取完成：抽中 6 户/); // the toast
    expect((await db.draw.findUniqueOrThrow({ where: { id: draw.id } })).status).toBe("revealed");
    // The record arrives as a file in the chat, and downloads from the console.
    const link = /href="(\/sandbox\/file\/[^"]+)">抽取记录-T2026-01-1\.json/.exec(afterClick);
    expect(link).not.toBeNull();
    const record = (await (await fetch(`${base}${link![1]}`)).json()) as { drawId: string };
    expect(record.drawId).toBe(draw.id);

    // A drawn inspector finds the task card in their private chat.
    const assignment = await db.assignment.findFirstOrThrow({ where: { drawId: draw.id } });
    const inspector = await db.inspector.findUniqueOrThrow({ where: { certNo: assignment.inspectorId } });
    const mine = await (await fetch(`${base}/sandbox?as=${inspector.openId}`)).text();
    expect(mine).toContain("检查任务 · T2026-01");
    expect(mine).toContain("接受任务");
  });
});
