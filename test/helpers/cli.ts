import { runCli, type Io } from "../../src/cli/main";
import { NOW } from "./db";

/** Runs `drbot …` in-process as an operator would (no Feishu credentials), capturing what it prints. */
export async function drbot(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), now: () => NOW };
  const code = await runCli(args, io, { ...env, LARK_APP_ID: undefined, LARK_APP_SECRET: undefined });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
