/**
 * The simulated Feishu in its own process (benchmarks): Feishu is remote in production, so its
 * work must not be counted on the server's CPU. Reads {appId, appSecret, users, chats} as JSON on
 * argv[2], prints its URL on stdout, serves until killed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { p2pChatIdOf } from "../src/lark/wire";
import { FakeFeishu } from "../src/sandbox/fakeFeishu";

/** Starts this file as a process with a private chat per user; resolves with its URL once it listens. */
/** The bot's environment in production mode against the simulated Feishu at `domain`, as an operator sets it. */
export function botEnv(
  app: { appId: string; secret: string; key: string; token: string },
  domain: string,
  databaseUrl: string,
  port = "0",
): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    PORT: port,
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    LARK_APP_ID: app.appId,
    LARK_APP_SECRET: app.secret,
    LARK_ENCRYPT_KEY: app.key,
    LARK_VERIFICATION_TOKEN: app.token,
    LARK_DOMAIN: domain,
  };
}

export async function spawnFakeFeishu(
  app: { appId: string; secret: string },
  users: string[],
  opts: { ownSession?: boolean } = {},
): Promise<{ domain: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      __filename,
      JSON.stringify({
        appId: app.appId,
        appSecret: app.secret,
        users,
        chats: users.map((u) => [p2pChatIdOf(u), [u]]),
      }),
    ],
    // ownSession: a session of its own, so Linux's autogroup scheduling doesn't bill its CPU to the
    // server's group (a remote Feishu's work is on another machine); the caller must kill it.
    { detached: opts.ownSession ?? false },
  );
  const domain = await new Promise<string>((resolve) =>
    child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())),
  );
  return { domain, process: child };
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2]!) as {
    appId: string;
    appSecret: string;
    users: string[];
    chats: [string, string[]][];
  };
  const fake = new FakeFeishu({ appId: o.appId, appSecret: o.appSecret });
  for (const u of o.users) fake.addUser(u, u);
  for (const [chat, members] of o.chats) fake.addChat(chat, chat, members);
  process.stdout.write(`${await fake.listen()}\n`);
}

if (require.main === module) void main();
