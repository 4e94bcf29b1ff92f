import type { Db } from "../store/db";
import type { FakeFeishu, FakeMessage } from "./fakeFeishu";

/**
 * The simulated Feishu's memory, kept in the sandbox database: every message (with its card
 * versions) and file, so a chat reopened after a restart looks as it did, and the sandbox's own
 * state (the 模拟日期 offset). Writes are queued in order and never block the platform's answer;
 * `flush()` waits for them (the console flushes before it renders and on stop).
 */
export class SandboxStore {
  private chain: Promise<void> = Promise.resolve();
  private failed: Error | null = null;

  constructor(private readonly db: Db) {}

  /** Loads what a previous run held into the platform, then records every later change. */
  async attach(fake: FakeFeishu): Promise<void> {
    const [rows, files] = await Promise.all([
      this.db.sandboxMessage.findMany({ orderBy: [{ createTime: "asc" }, { messageId: "asc" }] }),
      this.db.sandboxFile.findMany(),
    ]);
    const messages: FakeMessage[] = rows.map((r) => ({
      message_id: r.messageId,
      chat_id: r.chatId,
      receive_id: r.receiveId,
      receive_id_type: r.receiveIdType,
      msg_type: r.msgType,
      content: r.content,
      ...(r.uuid ? { uuid: r.uuid } : {}),
      create_time: Number(r.createTime),
      updates: JSON.parse(r.updates) as string[],
      ...(r.senderOpenId ? { sender: r.senderOpenId } : {}),
    }));
    fake.restore(
      messages,
      new Map(files.map((f) => [f.key, { fileName: f.fileName, fileType: f.fileType, bytes: Buffer.from(f.bytes) }])),
    );
    fake.listener = {
      message: (m) => this.enqueue(() => this.saveMessage(m)),
      file: (key, f) =>
        this.enqueue(async () => {
          const data = { fileName: f.fileName, fileType: f.fileType, bytes: new Uint8Array(f.bytes) };
          await this.db.sandboxFile.upsert({ where: { key }, create: { key, ...data }, update: data });
        }),
    };
  }

  private async saveMessage(m: FakeMessage): Promise<void> {
    const data = {
      chatId: m.chat_id,
      receiveId: m.receive_id,
      receiveIdType: m.receive_id_type,
      senderOpenId: m.sender ?? null,
      msgType: m.msg_type,
      content: m.content,
      uuid: m.uuid ?? null,
      createTime: BigInt(m.create_time),
      updates: JSON.stringify(m.updates),
    };
    await this.db.sandboxMessage.upsert({
      where: { messageId: m.message_id },
      create: { messageId: m.message_id, ...data },
      update: data,
    });
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch((e: unknown) => {
      this.failed = e as Error;
    });
  }

  /** Waits for every queued write; throws the first one that failed. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.failed) {
      const e = this.failed;
      this.failed = null;
      throw e;
    }
  }

  async getState(key: string): Promise<string | null> {
    return (await this.db.sandboxState.findUnique({ where: { key } }))?.value ?? null;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.db.sandboxState.upsert({ where: { key }, create: { key, value }, update: { value } });
  }

  /** Forgets the chat and the sandbox's state (重置演示数据). */
  async clear(fake: FakeFeishu): Promise<void> {
    await this.flush();
    fake.clear();
    await this.db.$transaction([
      this.db.sandboxMessage.deleteMany(),
      this.db.sandboxFile.deleteMany(),
      this.db.sandboxState.deleteMany(),
    ]);
  }
}
