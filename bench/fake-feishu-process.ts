/**
 * The simulated Feishu in its own process (benchmarks): Feishu is remote in production, so its
 * work must not be counted on the server's CPU. Reads {appId, appSecret, users, chats} as JSON on
 * argv[2], prints its URL on stdout, serves until killed.
 */
import { FakeFeishu } from "../src/sandbox/fakeFeishu";

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

void main();
