import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorOutcome, GENERIC_REPLY } from "../../src/bot/errorReply";
import { AppError, ERROR_STATUS, type ErrorCode } from "../../src/domain/errors";
import { FeishuApiError } from "../../src/lark/feishuError";

const CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the error vocabulary", () => {
  it("maps every code to its status and keeps the message raised with it as the Chinese reply", () => {
    for (const code of CODES) {
      const outcome = errorOutcome(new AppError(code, `「${code}」的说明`));
      expect(outcome, code).toEqual({ known: true, code, status: ERROR_STATUS[code], reply: `「${code}」的说明` });
    }
  });

  it("gives each kind of refusal the status a caller expects", () => {
    for (const code of CODES.filter((c) => c.endsWith("NOT_FOUND"))) expect(ERROR_STATUS[code], code).toBe(404);
    for (const code of CODES.filter((c) => c.startsWith("BAD_") && c !== "BAD_CONFIG"))
      expect(ERROR_STATUS[code], code).toBe(400);
    expect(ERROR_STATUS.DRAW_NOT_REVEALED).toBe(409); // the record download of a draw not yet revealed (test/http/app)
    expect(ERROR_STATUS.DRAW_EXISTS).toBe(409);
    expect(ERROR_STATUS.IMPORT_TOO_LARGE).toBe(413);
    expect(ERROR_STATUS.NOT_YOURS).toBe(403); // a forwarded card
    expect(ERROR_STATUS.BAD_CONFIG).toBe(500);
    expect(ERROR_STATUS.CONTACT_LOOKUP_FAILED).toBe(502);
  });

  it("declares no code that nothing raises", () => {
    const text = sources(path.resolve(__dirname, "../../src"))
      .filter((f) => !f.endsWith(path.join("domain", "errors.ts")))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    expect(CODES.filter((code) => !text.includes(`"${code}"`))).toEqual([]);
  });

  it("rejects an undeclared code at typecheck", () => {
    // @ts-expect-error — a typo is not an ErrorCode (npm run typecheck fails if this line compiles)
    const typo = new AppError("DRAW_NOT_FOND", "找不到");
    expect(Object.keys(ERROR_STATUS)).not.toContain(typo.code);
  });
});

describe("errorOutcome: faults get the generic reply, never their details", () => {
  it("a Feishu failure is a 502 fault, and Feishu's msg stays out of the reply", () => {
    const outcome = errorOutcome(new FeishuApiError("im.v1.message.create", 230002, "bot not in chat", 400));
    expect(outcome).toEqual({ known: false, code: "feishu", status: 502, reply: GENERIC_REPLY });
  });

  it("an unexpected error is a 500 with 「系统繁忙，请稍后再试」, whatever was thrown", () => {
    for (const thrown of [new Error("SQLITE_CORRUPT at /srv/data/bot.db"), "a string", null, { status: 503 }]) {
      const outcome = errorOutcome(thrown);
      expect(outcome).toEqual({ known: false, code: "internal", status: 500, reply: "系统繁忙，请稍后再试" });
    }
  });

  it("koa's ctx.throw(4xx, message) keeps its status and its message", () => {
    const thrown = Object.assign(new Error("找不到该抽取"), { status: 404, expose: true }); // what http-errors makes
    expect(errorOutcome(thrown)).toEqual({
      known: true,
      code: "request",
      status: 404,
      reply: "找不到该抽取",
    });
  });
});
