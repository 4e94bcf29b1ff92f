import { describe, expect, it } from "vitest";
import { ACTION, ACTION_NAMES } from "../../cards/actions";
import { button, card, form, md, reasonForm, submitButton, type Element } from "../../cards/kit";
import { createBot } from "../../src/runtime";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/logger";
import type { Db } from "../../src/store/db";
import { lintCard } from "./lint";

const one = (els: Element[]) => lintCard(card("测试", "blue", els));
const value = { action: ACTION.task.open, assignmentId: 1 };

describe("the card linter finds what Feishu would refuse", () => {
  it("passes a well-formed card", () => {
    expect(
      one([
        md("a"),
        button("b", "打开", value),
        form("f", [{ tag: "input", name: "x" }, submitButton("s", "提交", value)]),
      ]),
    ).toEqual([]);
  });

  it("schema, update_multi, size and element count", () => {
    expect(lintCard({ ...card("t", "blue", []), schema: "1.0" })).toContain('schema must be "2.0", is "1.0"');
    expect(lintCard({ ...card("t", "blue", []), config: {} })).toContain("config.update_multi must be true");
    expect(one([md("字".repeat(11_000))]).join()).toMatch(/over Feishu's 30720/);
    expect(one(Array.from({ length: 201 }, () => md("a"))).join()).toMatch(/201 elements/);
  });

  it("unknown tags and attributes, required outside a form, a form not at the root", () => {
    expect(one([{ tag: "action", actions: [] }]).join()).toMatch(/unknown tag "action"/);
    expect(one([{ ...md("a"), text_color: "red" }]).join()).toMatch(/attribute "text_color"/);
    expect(one([{ tag: "input", name: "x", required: true }]).join()).toMatch(/only valid inside a form/);
    const inner = form("f2", [submitButton("s2", "提交", value)]);
    expect(one([{ tag: "column_set", columns: [{ tag: "column", elements: [inner] }] }]).join()).toMatch(
      /only sit at the root/,
    );
  });

  it("a button's action must be registered in ACTION", () => {
    // @ts-expect-error a button can't be built with an action outside ACTION (the linter catches one smuggled in)
    expect(one([button("b", "打开", { action: "task.nope" })]).join()).toMatch(/"task.nope" is not in ACTION/);
    expect(one([{ tag: "button", name: "b", text: { tag: "plain_text", content: "x" } }]).join()).toMatch(
      /needs a callback/,
    );
  });

  it("a form has exactly one named submit button and card-unique names", () => {
    expect(one([form("f", [{ tag: "input", name: "x" }])]).join()).toMatch(/exactly one submit button, has 0/);
    expect(one([form("f", [submitButton("a", "1", value), submitButton("b", "2", value)])]).join()).toMatch(
      /exactly one submit button, has 2/,
    );
    expect(one([form("f", [{ tag: "input", name: "" }, submitButton("s", "提交", value)])]).join()).toMatch(
      /needs a name/,
    );
    const twice = (n: string) =>
      reasonForm({ name: n, placeholder: "理由", button: `${n}_btn`, text: "驳回", value: { ...value } });
    expect(one([twice("r1"), twice("r2")]).join()).toMatch(/name "reason" is already used/);
  });

  it("select options and date formats", () => {
    const select = (extra: Element) =>
      form("f", [{ tag: "select_static", name: "s", ...extra }, submitButton("b", "提交", value)]);
    expect(one([select({ options: [] })]).join()).toMatch(/needs options/);
    expect(
      one([
        select({ options: [{ text: { tag: "plain_text", content: "甲" }, value: "甲" }], initial_option: "乙" }),
      ]).join(),
    ).toMatch(/initial_option "乙" is not an option/);
    expect(
      one([
        form("f", [{ tag: "date_picker", name: "d", initial_date: "2026/1/1" }, submitButton("b", "提交", value)]),
      ]).join(),
    ).toMatch(/yyyy-MM-dd/);
  });
});

describe("every ACTION has a handler in the real bot", () => {
  it("the bot with all features registered (as runtime.ts builds it) answers exactly the ACTION names", () => {
    const config = loadConfig({ DATABASE_URL: "file:unused.db", LOG_LEVEL: "silent" });
    const bot = createBot({ db: {} as Db, config, logger: createLogger("silent") });
    expect([...bot.cardActions.keys()].sort()).toEqual([...ACTION_NAMES].sort());
    // @ts-expect-error nor can a handler be registered under one
    bot.cardAction({ action: "task.nope", roles: [], run: async () => ({}) });
  });
});
