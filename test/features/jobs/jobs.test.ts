import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditHead } from "../../../src/store/audit";
import { FAKE, messageEvent } from "../../helpers/lark";
import { LEGAL_CHAT, startJobsRig, type JobsRig } from "../../helpers/jobsRig";

let rig: JobsRig;
beforeAll(async () => {
  rig = await startJobsRig();
}, 180_000);
afterAll(async () => rig?.stop());

const digests = () => rig.fake.sentTo(LEGAL_CHAT);

describe("drbot jobs run digest: the 法制办 digest, once per working day", () => {
  it("refuses to run without Feishu settings", async () => {
    const r = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-16"], {
      LARK_APP_ID: undefined,
      LARK_APP_SECRET: undefined,
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/未配置飞书应用/);
    expect(await rig.db.jobSend.count()).toBe(0);
  });

  it("sends nothing while nothing is due", async () => {
    const r = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-01"]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain("法制办督办日报：无待办");
    expect(digests()).toHaveLength(0);
  });

  it("lists every drawn target without a confirmed result once the task has ended, in one card", async () => {
    const r = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-16"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("法制办督办日报：已发送 → 法制办群");
    expect(digests()).toHaveLength(1);
    const card = digests()[0]!.content;
    const targets = await rig.db.assignment.groupBy({ by: ["targetId"], where: { drawId: rig.drawId } });
    expect(card).toContain("「结果未录入」");
    expect(card).toContain(`「结果未录入」** ${targets.length} 项`);
    for (const t of targets) expect(card).toContain(t.targetId);
    const first = await rig.db.target.findUniqueOrThrow({ where: { creditCode: targets[0]!.targetId } });
    expect(card).toContain(first.name);
    expect(card).toContain("T2026-03");
    expect(card).toContain("逾期1个工作日");
    const someone = await rig.db.inspector.findUniqueOrThrow({
      where: { certNo: (await rig.db.assignment.findFirstOrThrow({ where: { drawId: rig.drawId } })).inspectorId },
    });
    expect(card).toContain(someone.name);
  });

  it("a second run for the same day sends nothing", async () => {
    const r = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-16"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("今日已发送过，未重复发送");
    expect(digests()).toHaveLength(1);
  });

  it("two processes running the same day at once send it once", async () => {
    const [a, b] = await Promise.all([
      rig.drbotProcess(["jobs", "run", "digest", "--at", "2026-12-17"]),
      rig.drbotProcess(["jobs", "run", "digest", "--at", "2026-12-17"]),
    ]);
    expect(a.code, a.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    expect([a.out, b.out].filter((o) => o.includes("已发送 → 法制办群"))).toHaveLength(1);
    expect(digests()).toHaveLength(2);
    expect(await rig.db.outboxMessage.count({ where: { idemKey: { startsWith: `job:digest:${LEGAL_CHAT}:` } } })).toBe(
      2,
    );
  }, 180_000); // two cold Node processes on a shared, loaded machine

  it("nothing on a non-working Saturday (unless --force); the next working day gets its own digest", async () => {
    const sat = await rig.drbot(["jobs", "run", "all", "--at", "2026-12-19"]);
    expect(sat.out).toBe("2026-12-19 非工作日");
    expect(digests()).toHaveLength(2);
    const fri = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-18"]);
    expect(fri.out).toContain("已发送 → 法制办群");
    expect(digests()).toHaveLength(3);
    expect(digests()[2]!.content).toContain("逾期3个工作日");
    // A clock moved back to a day already done sends nothing again.
    expect((await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-17"])).out).toContain("未重复发送");
    expect(digests()).toHaveLength(3);
    const forced = await rig.drbot(["jobs", "run", "digest", "--at", "2026-12-19", "--force"]);
    expect(forced.out).toContain("已发送 → 法制办群");
    expect(digests()).toHaveLength(4);
  });

  it("bad arguments exit 1 with a Chinese message", async () => {
    expect((await rig.drbot(["jobs", "run", "weekly"])).err).toMatch(/用法：drbot jobs run/);
    expect((await rig.drbot(["jobs", "run", "digest", "--at", "2026-02-30"])).err).toMatch(/--at 应为 YYYY-MM-DD/);
  });
});

describe("reminders and the weekly summary", () => {
  it("inspectors are reminded privately from 3 working days before the task ends, one card each", async () => {
    const team = await rig.db.assignment.findMany({ where: { drawId: rig.drawId } });
    const people = [...new Set(team.map((a) => a.inspectorId))];
    const before = new Map(
      await Promise.all(people.map(async (p) => [p, rig.fake.sentTo(await rig.openIdOf(p)).length] as const)),
    );
    await rig.drbot(["jobs", "run", "reminders", "--at", "2026-12-09"]); // 4 working days left: too early
    for (const p of people) expect(rig.fake.sentTo(await rig.openIdOf(p)).length).toBe(before.get(p));
    const r = await rig.drbot(["jobs", "run", "reminders", "--at", "2026-12-10"]);
    expect(r.code, r.err).toBe(0);
    for (const p of people) {
      const got = rig.fake.sentTo(await rig.openIdOf(p)).slice(before.get(p));
      expect(got, p).toHaveLength(1);
      expect(got[0]!.content).toContain("待录入检查结果");
      expect(got[0]!.content).toContain("还剩3个工作日");
      expect(got[0]!.content).toContain('"action":"task.open"');
      const mine = team.filter((a) => a.inspectorId === p);
      for (const a of mine) expect(got[0]!.content).toContain(`"assignmentId":${a.id}`);
    }
  });

  it("leaders get the plan progress on the first working day of the week, and the audit head goes to the announce group", async () => {
    const leader = await rig.db.inspector.findFirstOrThrow({ where: { roles: { contains: "领导" } } });
    const tue = await rig.drbot(["jobs", "run", "summary", "--at", "2026-12-08"]);
    expect(tue.out).toContain("只在每周第一个工作日发送");
    const seen = rig.fake.sentTo(leader.openId!).length;
    const mon = await rig.drbot(["jobs", "run", "summary", "--at", "2026-12-07"]);
    expect(mon.code, mon.err).toBe(0);
    const got = rig.fake.sentTo(leader.openId!).slice(seen);
    expect(got).toHaveLength(1);
    expect(got[0]!.content).toContain("本周抽查进度");
    expect(got[0]!.content).toContain("T2026-03");
    const head = (await auditHead(rig.db))!;
    const posted = rig.fake.sentTo(FAKE.group).filter((m) => m.content.includes("审计日志链头"));
    expect(posted).toHaveLength(1);
    expect(posted[0]!.content).toContain(head.hash);
    expect(posted[0]!.content).toContain(`序号 ${head.seq}`);
  });
});

describe("督办 on demand", () => {
  const ask = async (openId: string, id: string) => {
    const envelope = messageEvent({
      eventId: `ev-${id}`,
      messageId: `om_${id}`,
      text: "督办",
      sender: openId,
      chatId: "oc_p2p",
      chatType: "p2p",
    });
    await rig.db.$transaction((tx) => rig.bot.onEvent(tx, envelope));
    return (await rig.db.outboxMessage.findUniqueOrThrow({ where: { idemKey: `reply:om_${id}:0` } })).content;
  };

  it("shows 法制员 the same lines as that day's digest; an inspector is refused", async () => {
    rig.setToday("2026-12-18");
    const legal = (await rig.db.inspector.findFirstOrThrow({ where: { roles: { contains: "法制员" } } })).openId!;
    const reply = JSON.parse(await ask(legal, "dd1")) as { body: { elements: { content?: string }[] } };
    const digest = JSON.parse(
      digests().find((m) => m.content.includes("统计日期 2026-12-18"))!.content,
    ) as typeof reply;
    expect(reply.body.elements).toEqual(digest.body.elements);
    const inspector = (await rig.db.inspector.findFirstOrThrow({ where: { roles: "执法人员", openId: { not: null } } }))
      .openId!;
    expect(await ask(inspector, "dd2")).toContain("仅限法制员、领导、管理员使用");
  });
});
