import { describe, expect, it } from "vitest";
import { ALIASES, normalizeText, parseCommand, type CommandName } from "../../src/bot/commands";

describe("parseCommand: what a person types in the chat", () => {
  it("strips mentions and folds full-width spaces and Chinese punctuation", () => {
    expect(normalizeText("@_user_1\u3000抽取：T2026-01，")).toBe("抽取 T2026-01");
    expect(normalizeText("@_all  进度\u00a0 T2026-02")).toBe("进度 T2026-02");
  });

  it("every alias of every command is recognised, Chinese and English", () => {
    for (const [name, aliases] of Object.entries(ALIASES) as [CommandName, string[]][])
      for (const alias of aliases) expect(parseCommand(`@_user_1 ${alias} x`)).toMatchObject({ name, args: ["x"] });
  });

  it("English aliases are case-insensitive; the word typed is kept as typed", () => {
    expect(parseCommand("DRAW T2026-01")).toEqual({ name: "draw", word: "DRAW", args: ["T2026-01"] });
  });

  it("a Chinese command glued to its argument is split", () => {
    expect(parseCommand("抽取T2026-01")).toEqual({ name: "draw", word: "抽取", args: ["T2026-01"] });
    // The longer alias wins over its prefix: 取消抽取 is not 取消 + 抽取.
    expect(parseCommand("取消抽取T2026-01 重复")).toEqual({
      name: "cancel",
      word: "取消抽取",
      args: ["T2026-01", "重复"],
    });
  });

  it("a bare mention asks for help; an unknown word is named back", () => {
    expect(parseCommand("@_user_1")).toEqual({ name: "help", word: "", args: [] });
    expect(parseCommand("@_user_1 抽签 T1")).toEqual({ name: null, word: "抽签", args: ["T1"] });
  });

  it("an English alias glued to text is not a command (only Chinese aliases glue)", () => {
    expect(parseCommand("drawT2026-01").name).toBeNull();
  });
});
