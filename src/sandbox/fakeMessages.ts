import { randomBytes } from "node:crypto";
import { p2pChatIdOf } from "../lark/wire";
import { cardProblem } from "./cardRules";
import type { FakeFeishu, FakeMessage, FakeRequest } from "./fakeFeishu";
import { parseMultipart } from "./multipart";

/** The simulated im/v1 API: send a message, patch a card, upload a file, download a message's file. */

const SENSITIVE = { code: 230028, msg: "The messages do NOT pass the audit, ext=contains sensitive data" };
const FREQUENCY = { code: 230020, msg: "This operation triggers the frequency limit." };
const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000;

/** Feishu's send limits: per target (and per card) perTargetQps in any second; per app appQps a second and 1000 a minute. */
export class FakeLimits {
  private readonly perTarget = new Map<string, number[]>();
  private readonly appWindow: number[] = [];
  private readonly minuteWindow: number[] = [];

  constructor(
    private readonly now: () => number,
    readonly perTargetQps = 5,
    readonly appQps = 50,
  ) {}

  target(key: string): boolean {
    const now = this.now();
    const w = (this.perTarget.get(key) ?? []).filter((t) => t > now - 1000);
    this.perTarget.set(key, w);
    if (w.length >= this.perTargetQps) return false;
    w.push(now);
    return true;
  }

  /** Message create/reply share these. */
  app(): boolean {
    const now = this.now();
    while (this.appWindow.length && this.appWindow[0]! <= now - 1000) this.appWindow.shift();
    while (this.minuteWindow.length && this.minuteWindow[0]! <= now - 60_000) this.minuteWindow.shift();
    if (this.appWindow.length >= this.appQps || this.minuteWindow.length >= 1000) return false;
    this.appWindow.push(now);
    this.minuteWindow.push(now);
    return true;
  }
}

export function messageRoutes(fake: FakeFeishu, r: FakeRequest): boolean {
  const handled = (run: () => void) => (run(), true);
  if (r.method === "POST" && r.path === "/open-apis/im/v1/messages") return handled(() => create(fake, r));
  if (r.method === "POST" && r.path === "/open-apis/im/v1/files") return handled(() => upload(fake, r));

  const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(r.path);
  if (r.method === "GET" && resource)
    return handled(() => {
      const file = fake.files.get(`${resource[1]}/${resource[2]}`);
      if (file) r.sendBytes(file);
      else r.send(400, { code: 234003, msg: "File not in msg." });
    });

  const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(r.path);
  if (r.method === "PATCH" && patch) return handled(() => patchCard(fake, r, patch[1]!));
  return false;
}

function upload(fake: FakeFeishu, r: FakeRequest): void {
  const parts = parseMultipart(r.raw, String(r.headers["content-type"] ?? ""));
  const file = parts.get("file");
  if (!file || !parts.get("file_name")) return r.send(400, { code: 234001, msg: "invalid file upload" });
  if (file.length > 30 * 1024 * 1024) return r.send(400, { code: 234006, msg: "file too large" });
  const fileKey = `file_v3_${randomBytes(8).toString("hex")}`;
  const stored = {
    fileName: parts.get("file_name")!.toString("utf8"),
    fileType: parts.get("file_type")?.toString("utf8") ?? "",
    bytes: file,
  };
  fake.uploads.set(fileKey, stored);
  fake.listener?.file(fileKey, stored);
  r.send(200, { code: 0, msg: "success", data: { file_key: fileKey } });
}

function patchCard(fake: FakeFeishu, r: FakeRequest, messageId: string): void {
  const m = fake.messages.find((x) => x.message_id === messageId);
  if (!m) return r.send(400, { code: 230001, msg: "message not found" });
  if (m.msg_type !== "interactive") return r.send(400, { code: 230001, msg: "only cards can be patched" });
  if (fake.now() - m.create_time > FOURTEEN_DAYS_MS)
    return r.send(400, { code: 230031, msg: "Message can only be modified within 14 days after sending." });
  const content = String(r.body["content"] ?? "");
  const problem = cardProblem(content);
  if (problem) return r.send(400, problem);
  if (fake.sensitivePattern?.test(content)) return r.send(400, SENSITIVE);
  if (!fake.limits.target(`msg:${m.message_id}`)) return r.send(400, FREQUENCY);
  m.updates.push(content);
  fake.listener?.message(m);
  r.send(200, { code: 0, msg: "ok", data: {} });
}

/** The message as the platform describes it in an answer (fixture 10's shape). */
const described = (fake: FakeFeishu, m: FakeMessage) => ({
  message_id: m.message_id,
  root_id: "",
  parent_id: "",
  msg_type: m.msg_type,
  create_time: String(m.create_time),
  update_time: String(m.create_time),
  deleted: false,
  updated: false,
  chat_id: m.chat_id,
  sender: { id: fake.opts.appId, id_type: "app_id", sender_type: "app", tenant_key: "fake" },
  body: { content: m.content },
});

function create(fake: FakeFeishu, r: FakeRequest): void {
  const type = r.url.searchParams.get("receive_id_type") ?? "";
  const receiveId = String(r.body["receive_id"] ?? "");
  const msgType = String(r.body["msg_type"] ?? "");
  const content = String(r.body["content"] ?? "");
  const uuid = r.body["uuid"] as string | undefined;

  // The gateway limit comes first, as on the platform.
  if (!fake.limits.app())
    return r.send(
      429,
      { code: 99991400, msg: "request trigger frequency limit" },
      { "x-ogw-ratelimit-limit": String(fake.limits.appQps), "x-ogw-ratelimit-reset": "1" },
    );
  if (uuid) {
    const earlier = fake.messages.find((m) => m.uuid === uuid && fake.now() - m.create_time < 3600_000);
    if (earlier) return r.send(200, { code: 0, msg: "success", data: described(fake, earlier) });
  }
  let chatId: string;
  if (type === "chat_id") {
    const chat = fake.chats.get(receiveId);
    if (!chat || !chat.botIn) return r.send(400, { code: 230002, msg: "The bot can not be outside the group." });
    chatId = receiveId;
  } else if (type === "open_id") {
    if (!fake.users.has(receiveId)) return r.send(400, { code: 230013, msg: "Bot has NO availability to this user." });
    chatId = p2pChatIdOf(receiveId);
  } else return r.send(400, { code: 230001, msg: "invalid receive_id_type" });
  if (!["text", "interactive", "file", "post"].includes(msgType))
    return r.send(400, { code: 230001, msg: "invalid msg_type" });
  if (msgType === "file") {
    const key = (JSON.parse(content || "{}") as { file_key?: string }).file_key;
    if (!key || !fake.uploads.has(key)) return r.send(400, { code: 230001, msg: "file_key not found" });
  }
  if (msgType === "interactive") {
    const problem = cardProblem(content);
    if (problem) return r.send(400, problem);
  } else if (Buffer.byteLength(content) > 150 * 1024) return r.send(400, { code: 230025, msg: "content too long" });
  if (fake.sensitivePattern?.test(content)) return r.send(400, SENSITIVE);
  if (!fake.limits.target(`to:${receiveId}`)) return r.send(400, FREQUENCY);

  const message: FakeMessage = {
    message_id: fake.nextMessageId(),
    chat_id: chatId,
    receive_id: receiveId,
    receive_id_type: type,
    msg_type: msgType,
    content,
    uuid,
    create_time: fake.now(),
    updates: [],
  };
  fake.messages.push(message);
  fake.listener?.message(message);
  r.send(200, { code: 0, msg: "success", data: described(fake, message) });
}
