import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_OPEN_IDS } from "../../src/demo/data";
import { shiftDays } from "../../src/domain/calendar";
import type { DrawRecord } from "../../src/domain/draw/types";
import { publicityRate } from "../../src/domain/publicity";
import { formatBp } from "../../src/domain/results";
import { PUBLICITY_COLUMNS } from "../../src/features/publicity/export";
import { startBotRig, STRANGER, type BotRig } from "../helpers/botRig";
import { bureauToday } from "../helpers/clock";
import { FAKE } from "../helpers/lark";

let rig: BotRig;
let drawId = "";
let record: DrawRecord;
let today = "";
const ids: number[] = [];
const DAY = 86_400_000;

type Answer = { toast?: { type: string; content: string }; card?: { data: unknown } };
const lastCardTo = (receiveId: string) => JSON.stringify(rig.fake.sentTo(receiveId).at(-1)?.card ?? {});

/** The database's own publicity rate for the year, as 统计 must show it. */
async function rateInDb(): Promise<string> {
  const rows = await rig.db.result.findMany({ where: { current: true, confirmedAt: { not: null } } });
  return formatBp(
    publicityRate(
      rows.map((r) => ({ due: r.publicityDue, publishedOn: r.publishedOn })),
      today,
    ).rateBp,
  );
}

beforeAll(async () => {
  rig = await startBotRig();
  today = bureauToday(); // the bot's bureau date (DRBOT_TODAY moves both)
  await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "抽取 T2026-03"));
  await rig.settle();
  drawId = (await rig.db.draw.findFirstOrThrow({ where: { taskCode: "T2026-03" } })).id;
  await rig.press(DEMO_OPEN_IDS.legal, { action: "draw.confirm", drawId }, { entropy: "公示测试" });
  await rig.settle();
  record = JSON.parse((await rig.db.draw.findUniqueOrThrow({ where: { id: drawId } })).record) as DrawRecord;
  // Three confirmed results (the confirmation loop itself is covered by task-loop.test.ts):
  // one long overdue, two not yet due. confirmedAt is the real instant (before the card is made);
  // confirmedOn the bureau date the rules read.
  const now = Date.now();
  const plan = [
    { confirmedAt: new Date(now - 40 * DAY), confirmedOn: shiftDays(today, -40), due: shiftDays(today, -5) },
    { confirmedAt: new Date(now - 2 * DAY), confirmedOn: shiftDays(today, -2), due: shiftDays(today, 12) },
    { confirmedAt: new Date(now - 1000), confirmedOn: today, due: shiftDays(today, 25) },
  ];
  for (const [k, p] of plan.entries()) {
    const r = await rig.db.result.create({
      data: {
        drawId,
        targetId: record.selection.targets[k]!.id,
        inspectionDate: shiftDays(today, -45),
        category: "未发现问题",
        submittedBy: "x",
        status: "confirmed",
        confirmedBy: "y",
        confirmedAt: p.confirmedAt,
        confirmedOn: p.confirmedOn,
        publicityDue: p.due,
      },
    });
    ids.push(r.id);
  }
});
afterAll(async () => rig.stop());

describe("一公开: 公示, 标记已公示, 全部标记, 统计", () => {
  let asOf = "";

  it("公示 lists every due result by name with working days left or overdue, and offers 全部标记", async () => {
    await rig.deliver(rig.say(DEMO_OPEN_IDS.legal, "公示"));
    await rig.settle();
    const card = lastCardTo(FAKE.group);
    const names = await rig.db.target.findMany({
      where: { creditCode: { in: record.selection.targets.slice(0, 3).map((t) => t.id) } },
    });
    for (const t of names) expect(card).toContain(t.name);
    expect(card).toMatch(/已逾期 \d+ 个工作日/);
    expect(card).toMatch(/剩余 \d+ 个工作日/);
    expect(card).toContain("全部标记（3 条）");
    expect(card).toContain('"tag":"date_picker"');
    asOf = /"asOf":"([^"]+)"/.exec(card)![1]!;
  });

  it("only 法制员, 领导, 管理员 may mark, on every click", async () => {
    const before = await rig.db.auditLog.count();
    const inspector = (await rig.press(
      DEMO_OPEN_IDS.inspectorA,
      { action: "publicity.mark", resultId: ids[1] },
      { [`publish_date_pub_${ids[1]}`]: `${today} +0800` },
    )) as Answer;
    expect(inspector.toast?.content).toBe("仅限法制员、领导、管理员操作");
    expect((await rig.press(STRANGER, { action: "publicity.markAll", asOf }, {})).toast?.type).toBe("error");
    await rig.deliver(rig.say(DEMO_OPEN_IDS.inspectorA, "公示"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toMatch(/仅限法制员、领导、管理员使用/);
    expect(await rig.db.result.count({ where: { publishedAt: { not: null } } })).toBe(0);
    expect(await rig.db.auditLog.count()).toBe(before);
  });

  it("标记已公示 with a 公示日期 between the confirmation date and today; audited", async () => {
    const early = (await rig.press(
      DEMO_OPEN_IDS.legal,
      { action: "publicity.mark", resultId: ids[1] },
      { [`publish_date_pub_${ids[1]}`]: `${shiftDays(today, -10)} +0800` },
    )) as Answer;
    expect(early.toast?.content).toMatch(/早于结果确认日期/);
    const late = (await rig.press(
      DEMO_OPEN_IDS.legal,
      { action: "publicity.mark", resultId: ids[1] },
      { [`publish_date_pub_${ids[1]}`]: `${shiftDays(today, 1)} +0800` },
    )) as Answer;
    expect(late.toast?.type).toBe("error");
    expect(await rig.db.result.count({ where: { publishedAt: { not: null } } })).toBe(0);

    const ok = (await rig.press(
      DEMO_OPEN_IDS.legal,
      { action: "publicity.mark", resultId: ids[1] },
      { [`publish_date_pub_${ids[1]}`]: `${today} +0800` },
    )) as Answer;
    expect(ok.toast).toMatchObject({ type: "success" });
    expect(JSON.stringify(ok.card)).toContain("全部标记（2 条）"); // the marked one left the list
    expect(await rig.db.result.findUniqueOrThrow({ where: { id: ids[1] } })).toMatchObject({
      publishedOn: today,
      publishedBy: DEMO_OPEN_IDS.legal,
    });
    expect(await rig.db.auditLog.findFirstOrThrow({ where: { action: "publicity.mark" } })).toMatchObject({
      actor: DEMO_OPEN_IDS.legal,
      entityId: String(ids[1]),
    });
    // A second click on the same (stale) button marks nothing twice.
    const again = (await rig.press(DEMO_OPEN_IDS.legal, { action: "publicity.mark", resultId: ids[1] }, {})) as Answer;
    expect(again.toast?.type).toBe("info");
    expect(await rig.db.auditLog.count({ where: { action: "publicity.mark" } })).toBe(1);
  });

  it("统计 shows the publicity rate the database holds (and a chart)", async () => {
    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "统计 2026"));
    await rig.settle();
    const card = lastCardTo(FAKE.group);
    expect(await rateInDb()).toBe("50.00%"); // 1 on time ÷ (1 published + 1 overdue)
    expect(card).toContain(`公示率**（目标 100%）：**${await rateInDb()}`);
    expect(card).toContain('"tag":"chart"');
  });

  it("全部标记 marks every result the card listed, on all pages, and nothing confirmed after it", async () => {
    const fresh = await rig.db.result.create({
      data: {
        drawId,
        targetId: record.selection.targets[3]!.id,
        inspectionDate: today,
        category: "未发现问题",
        submittedBy: "x",
        status: "confirmed",
        confirmedBy: "y",
        confirmedAt: new Date(Date.now() + 60_000),
        publicityDue: shiftDays(today, 28),
      },
    });
    const all = (await rig.press(
      DEMO_OPEN_IDS.leader,
      { action: "publicity.markAll", asOf },
      { publish_date_pub_all: `${today} +0800` },
    )) as Answer;
    expect(all.toast?.content).toBe(`已标记公示 2 条（公示日期 ${today}）`);
    expect(await rig.db.result.count({ where: { id: { in: ids }, publishedOn: today } })).toBe(3);
    expect((await rig.db.result.findUniqueOrThrow({ where: { id: fresh.id } })).publishedAt).toBeNull();

    await rig.deliver(rig.say(DEMO_OPEN_IDS.leader, "统计 2026"));
    await rig.settle();
    expect(await rateInDb()).toBe("66.67%"); // 2 on time ÷ 3 published (the overdue one was published late), half-up
    expect(lastCardTo(FAKE.group)).toContain(`公示率**（目标 100%）：**66.67%`);
  });
});

describe("公示 导出", () => {
  it("sends the §5 export privately as an .xlsx file and says 检查实施机关 is unset", async () => {
    await rig.deliver(rig.say(DEMO_OPEN_IDS.legal, "公示 导出 2026"));
    await rig.settle();
    expect(rig.textOf(rig.fake.sentTo(FAKE.group).at(-1)!)).toMatch(/已私信发送给您[\s\S]*未设置 BUREAU_NAME/);
    const file = rig.fake.sentTo(DEMO_OPEN_IDS.legal).find((m) => m.msg_type === "file");
    expect(file).toBeDefined();
    const upload = rig.fake.uploads.get((JSON.parse(file!.content) as { file_key: string }).file_key)!;
    expect(upload.fileName).toBe("抽查结果公示-2026.xlsx");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(upload.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...PUBLICITY_COLUMNS]);
    expect(sheet.rowCount).toBe(5);
    const rows = [2, 3, 4, 5].map((n) => (sheet.getRow(n).values as unknown[]).slice(1).map(String));
    expect(rows.filter((r) => r[9] === "已公示" && r[10] === today)).toHaveLength(3);
    expect(rows.filter((r) => r[9] === "待公示" && r[10] === "")).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toMatch(/ou_/);
  });
});
