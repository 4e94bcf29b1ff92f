import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { p2pChatIdOf } from "../lark/wire";

/**
 * A simulated Feishu Open Platform: a real HTTP server that the real SDK talks to through its
 * `domain` option. It answers the shapes Feishu answers and refuses what Feishu refuses (tokens,
 * bot not in chat, unknown users, card rules and size, uuid idempotency, per-target 5 QPS → 230020,
 * per-app 50/s → HTTP 429 99991400 with x-ogw-ratelimit-reset). The sandbox embeds it; tests use it
 * as the fake platform.
 */

export interface FakeMessage {
  message_id: string;
  chat_id: string;
  receive_id: string;
  receive_id_type: string;
  msg_type: string;
  content: string;
  uuid?: string;
  create_time: number;
  updates: string[];
  /** A person's message (sent from the sandbox console); absent for the bot's. */
  sender?: string;
}

/** Told of every change to the platform's messages and files (the sandbox persists them). */
export interface FakeListener {
  message(m: FakeMessage): void;
  file(key: string, file: { fileName: string; fileType: string; bytes: Buffer }): void;
}

export interface FakeCall {
  method: string;
  path: string;
  status: number;
  code: number;
  at: number;
}

interface Options {
  appId: string;
  appSecret: string;
  botOpenId?: string;
  perTargetQps?: number;
  appQps?: number;
  now?: () => number;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
};

const CARD_LIMIT_BYTES = 30 * 1024;
const SENSITIVE = { code: 230028, msg: "The messages do NOT pass the audit, ext=contains sensitive data" };
const FOURTEEN_DAYS_MS = 14 * 24 * 3600 * 1000;

export class FakeFeishu {
  readonly messages: FakeMessage[] = [];
  readonly calls: FakeCall[] = [];
  readonly users = new Map<string, { openId: string; name: string; mobile?: string }>();
  readonly chats = new Map<string, { name: string; members: Set<string>; botIn: boolean }>();
  /** Codes to answer the next matching calls with, e.g. queued 230002 for one chat. */
  readonly failures: {
    match: (path: string, body: Record<string, unknown>) => boolean;
    status: number;
    code: number;
    msg: string;
    times: number;
  }[] = [];
  /** The data-leak review: a message or card update whose content matches is refused with 230028 (null = off). */
  sensitivePattern: RegExp | null = null;
  /** Files attached to messages users "sent", downloadable by the bot: "<message_id>/<file_key>". */
  readonly files = new Map<string, Buffer>();
  /** Files the bot uploaded (im/v1/files), by file_key. */
  readonly uploads = new Map<string, { fileName: string; fileType: string; bytes: Buffer }>();
  private readonly tokens = new Set<string>();
  private readonly perTarget = new Map<string, number[]>();
  private readonly appWindow: number[] = [];
  private readonly minuteWindow: number[] = [];
  listener: FakeListener | null = null;
  private server: Server | null = null;
  private base = "";
  private seq = 0;
  /** The long connection (LARK_MODE=ws): "accept" hands out an endpoint and accepts the WebSocket; "refuse" answers 403. */
  wsEndpoint: "accept" | "refuse" = "accept";
  /** Open long connections (raw sockets after the WebSocket handshake). */
  readonly wsSockets = new Set<Duplex>();
  readonly botOpenId: string;
  private readonly now: () => number;

  constructor(private readonly opts: Options) {
    this.botOpenId = opts.botOpenId ?? "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
    this.now = opts.now ?? (() => Date.now());
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on("upgrade", (req, socket) => this.upgrade(req, socket));
    await new Promise<void>((resolve) => this.server!.listen(port, host, () => resolve()));
    const a = this.server.address();
    this.base = `http://${host}:${typeof a === "object" && a ? a.port : port}`;
    return this.base;
  }

  async close(): Promise<void> {
    this.dropWs();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /**
   * Just enough of a WebSocket server for the SDK's WSClient to connect (RFC 6455 handshake); the
   * client's pings are read and ignored. Events over the long connection are not emulated.
   */
  private upgrade(req: IncomingMessage, socket: Duplex): void {
    const key = req.headers["sec-websocket-key"];
    if (
      this.wsEndpoint !== "accept" ||
      !new URL(req.url ?? "/", "http://fake").pathname.startsWith("/ws") ||
      typeof key !== "string"
    ) {
      socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    this.wsSockets.add(socket);
    socket.on("data", () => {});
    socket.on("error", () => {});
    socket.on("close", () => this.wsSockets.delete(socket));
  }

  /** Closes every long connection (a close frame, then the socket), as a platform restart would. */
  dropWs(): void {
    for (const socket of this.wsSockets) {
      socket.end(Buffer.from([0x88, 0x00]));
      socket.destroy();
    }
    this.wsSockets.clear();
  }

  addUser(openId: string, name: string, mobile?: string): void {
    this.users.set(openId, { openId, name, mobile });
  }

  addChat(chatId: string, name: string, members: string[], botIn = true): void {
    this.chats.set(chatId, { name, members: new Set(members), botIn });
  }

  failNext(
    match: (path: string, body: Record<string, unknown>) => boolean,
    code: number,
    msg: string,
    times = 1,
    status = 400,
  ): void {
    this.failures.push({ match, status, code, msg, times });
  }

  /** A person's message in a chat (the console's send); a file's bytes become downloadable by the bot. */
  userSends(
    from: string,
    chatId: string,
    msgType: "text" | "file",
    content: string,
    file?: { fileKey: string; fileName: string; bytes: Buffer },
  ): FakeMessage {
    const m: FakeMessage = {
      message_id: `om_${(++this.seq).toString(16).padStart(32, "0")}`,
      chat_id: chatId,
      receive_id: chatId,
      receive_id_type: "chat_id",
      msg_type: msgType,
      content,
      create_time: this.now(),
      updates: [],
      sender: from,
    };
    if (file) {
      const key = `${m.message_id}/${file.fileKey}`;
      const stored = { fileName: file.fileName, fileType: "stream", bytes: file.bytes };
      this.files.set(key, file.bytes);
      this.listener?.file(key, stored);
    }
    this.messages.push(m);
    this.listener?.message(m);
    return m;
  }

  /** A newer version of a card, as when Feishu applies a callback's answer. */
  updateCard(messageId: string, content: string): boolean {
    const m = this.messages.find((x) => x.message_id === messageId);
    if (!m) return false;
    m.updates.push(content);
    this.listener?.message(m);
    return true;
  }

  /** Puts back what a previous run held (the sandbox's persisted chat). */
  restore(messages: FakeMessage[], files: Map<string, { fileName: string; fileType: string; bytes: Buffer }>): void {
    for (const m of messages) this.messages.push(m);
    for (const [key, f] of files) {
      if (key.includes("/")) this.files.set(key, f.bytes);
      else this.uploads.set(key, f);
    }
    for (const m of messages) {
      const n = /^om_([0-9a-f]{32})$/.exec(m.message_id);
      if (n) this.seq = Math.max(this.seq, parseInt(n[1]!, 16));
    }
  }

  /** Forgets every message and file (the sandbox's 重置演示数据). */
  clear(): void {
    this.messages.length = 0;
    this.files.clear();
    this.uploads.clear();
  }

  /** Messages sent to one chat or user, oldest first, with the card JSON parsed. */
  sentTo(receiveId: string): (FakeMessage & { card?: Record<string, unknown> })[] {
    return this.messages
      .filter((m) => m.receive_id === receiveId)
      .map((m) => ({
        ...m,
        card:
          m.msg_type === "interactive"
            ? (JSON.parse(m.updates.at(-1) ?? m.content) as Record<string, unknown>)
            : undefined,
      }));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      /* multipart or empty */
    }
    const send = (status: number, payload: Record<string, unknown>, headers?: Record<string, string>) => {
      this.calls.push({
        method: req.method ?? "",
        path: url.pathname,
        status,
        code: Number(payload["code"] ?? 0),
        at: this.now(),
      });
      json(res, status, payload, headers);
    };
    const path = url.pathname;

    if (req.method === "POST" && path === "/callback/ws/endpoint") {
      // The SDK's long-connection discovery: app credentials in the body, no token.
      if (body["AppID"] !== this.opts.appId || body["AppSecret"] !== this.opts.appSecret)
        return send(200, { code: 514, msg: "auth failed", data: {} });
      if (this.wsEndpoint === "refuse")
        return send(200, { code: 403, msg: "long connection is not enabled for this app", data: {} });
      const ws = this.base.replace(/^http/, "ws");
      return send(200, {
        code: 0,
        msg: "ok",
        data: {
          URL: `${ws}/ws?device_id=fake-device&service_id=1`,
          ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
        },
      });
    }

    if (req.method === "POST" && path === "/open-apis/auth/v3/tenant_access_token/internal") {
      if (body["app_id"] !== this.opts.appId || body["app_secret"] !== this.opts.appSecret)
        return send(400, { code: 10014, msg: "app secret invalid" });
      const token = `t-${randomBytes(12).toString("hex")}`;
      this.tokens.add(token);
      return send(200, { code: 0, msg: "ok", tenant_access_token: token, expire: 7200 });
    }
    const auth = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!this.tokens.has(auth)) return send(400, { code: 99991663, msg: "Invalid access token for authorization." });

    const failure = this.failures.find((f) => f.times > 0 && f.match(path, body));
    if (failure) {
      failure.times--;
      return send(failure.status, { code: failure.code, msg: failure.msg });
    }

    if (req.method === "GET" && path === "/open-apis/bot/v3/info") {
      return send(200, {
        code: 0,
        msg: "ok",
        bot: { activate_status: 2, app_name: "双随机助手", avatar_url: "", ip_white_list: [], open_id: this.botOpenId },
      });
    }

    if (req.method === "POST" && path === "/open-apis/im/v1/messages") return this.create(url, body, send);

    if (req.method === "POST" && path === "/open-apis/im/v1/files") {
      const parts = parseMultipart(Buffer.concat(chunks), String(req.headers["content-type"] ?? ""));
      const file = parts.get("file");
      if (!file || !parts.get("file_name")) return send(400, { code: 234001, msg: "invalid file upload" });
      if (file.length > 30 * 1024 * 1024) return send(400, { code: 234006, msg: "file too large" });
      const fileKey = `file_v3_${randomBytes(8).toString("hex")}`;
      const upload = {
        fileName: parts.get("file_name")!.toString("utf8"),
        fileType: parts.get("file_type")?.toString("utf8") ?? "",
        bytes: file,
      };
      this.uploads.set(fileKey, upload);
      this.listener?.file(fileKey, upload);
      return send(200, { code: 0, msg: "success", data: { file_key: fileKey } });
    }

    const resource = /^\/open-apis\/im\/v1\/messages\/([^/]+)\/resources\/([^/]+)$/.exec(path);
    if (req.method === "GET" && resource) {
      const file = this.files.get(`${resource[1]}/${resource[2]}`);
      if (!file) return send(400, { code: 234003, msg: "File not in msg." });
      this.calls.push({ method: "GET", path, status: 200, code: 0, at: this.now() });
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.length });
      res.end(file);
      return;
    }

    const patch = /^\/open-apis\/im\/v1\/messages\/([^/]+)$/.exec(path);
    if (req.method === "PATCH" && patch) {
      const m = this.messages.find((x) => x.message_id === patch[1]);
      if (!m) return send(400, { code: 230001, msg: "message not found" });
      if (m.msg_type !== "interactive") return send(400, { code: 230001, msg: "only cards can be patched" });
      if (this.now() - m.create_time > FOURTEEN_DAYS_MS)
        return send(400, { code: 230031, msg: "Message can only be modified within 14 days after sending." });
      const problem = cardProblem(String(body["content"] ?? ""));
      if (problem) return send(400, problem);
      if (this.sensitivePattern?.test(String(body["content"] ?? ""))) return send(400, SENSITIVE);
      if (!this.allow(`msg:${m.message_id}`))
        return send(400, { code: 230020, msg: "This operation triggers the frequency limit." });
      m.updates.push(String(body["content"]));
      this.listener?.message(m);
      return send(200, { code: 0, msg: "ok", data: {} });
    }

    if (req.method === "POST" && path === "/open-apis/contact/v3/users/batch_get_id") {
      const mobiles = (body["mobiles"] as string[] | undefined) ?? [];
      const found = [...this.users.values()];
      return send(200, {
        code: 0,
        msg: "success",
        data: {
          user_list: mobiles
            .map((mobile) => ({ mobile, user_id: found.find((u) => u.mobile === mobile)?.openId }))
            .map((u) => (u.user_id ? u : { mobile: u.mobile })),
        },
      });
    }

    const members = /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/.exec(path);
    if (req.method === "GET" && members) {
      const chat = this.chats.get(members[1]!);
      if (!chat || !chat.botIn) return send(400, { code: 232011, msg: "operator not in chat" });
      const items = [...chat.members].map((id) => ({
        member_id_type: "open_id",
        member_id: id,
        name: this.users.get(id)?.name ?? id,
        tenant_key: "fake",
      }));
      return send(200, { code: 0, msg: "success", data: { items, has_more: false, member_total: items.length } });
    }

    return send(404, { code: 404, msg: `fake Feishu has no ${req.method} ${path}` });
  }

  private create(
    url: URL,
    body: Record<string, unknown>,
    send: (s: number, b: Record<string, unknown>, h?: Record<string, string>) => void,
  ): void {
    const type = url.searchParams.get("receive_id_type") ?? "";
    const receiveId = String(body["receive_id"] ?? "");
    const msgType = String(body["msg_type"] ?? "");
    const content = String(body["content"] ?? "");
    const uuid = body["uuid"] as string | undefined;

    // The gateway limit comes first, as on the platform.
    if (!this.allowApp())
      return send(
        429,
        { code: 99991400, msg: "request trigger frequency limit" },
        { "x-ogw-ratelimit-limit": String(this.opts.appQps ?? 50), "x-ogw-ratelimit-reset": "1" },
      );
    if (uuid) {
      const earlier = this.messages.find((m) => m.uuid === uuid && this.now() - m.create_time < 3600_000);
      if (earlier)
        return send(200, {
          code: 0,
          msg: "success",
          data: { message_id: earlier.message_id, chat_id: earlier.chat_id, msg_type: earlier.msg_type },
        });
    }
    let chatId: string;
    if (type === "chat_id") {
      const chat = this.chats.get(receiveId);
      if (!chat || !chat.botIn) return send(400, { code: 230002, msg: "The bot can not be outside the group." });
      chatId = receiveId;
    } else if (type === "open_id") {
      if (!this.users.has(receiveId)) return send(400, { code: 230013, msg: "Bot has NO availability to this user." });
      chatId = p2pChatIdOf(receiveId);
    } else return send(400, { code: 230001, msg: "invalid receive_id_type" });
    if (!["text", "interactive", "file", "post"].includes(msgType))
      return send(400, { code: 230001, msg: "invalid msg_type" });
    if (msgType === "file") {
      const key = (JSON.parse(content || "{}") as { file_key?: string }).file_key;
      if (!key || !this.uploads.has(key)) return send(400, { code: 230001, msg: "file_key not found" });
    }
    if (msgType === "interactive") {
      const problem = cardProblem(content);
      if (problem) return send(400, problem);
    } else if (Buffer.byteLength(content) > 150 * 1024) return send(400, { code: 230025, msg: "content too long" });
    if (this.sensitivePattern?.test(content)) return send(400, SENSITIVE);
    if (!this.allow(`to:${receiveId}`))
      return send(400, { code: 230020, msg: "This operation triggers the frequency limit." });

    const message: FakeMessage = {
      message_id: `om_${(++this.seq).toString(16).padStart(32, "0")}`,
      chat_id: chatId,
      receive_id: receiveId,
      receive_id_type: type,
      msg_type: msgType,
      content,
      uuid,
      create_time: this.now(),
      updates: [],
    };
    this.messages.push(message);
    this.listener?.message(message);
    return send(200, {
      code: 0,
      msg: "success",
      data: {
        message_id: message.message_id,
        chat_id: chatId,
        msg_type: msgType,
        create_time: String(message.create_time),
      },
    });
  }

  /** Per-target (and per-card) limit: at most perTargetQps in any 1-second window. */
  private allow(key: string): boolean {
    const now = this.now();
    const w = (this.perTarget.get(key) ?? []).filter((t) => t > now - 1000);
    this.perTarget.set(key, w);
    if (w.length >= (this.opts.perTargetQps ?? 5)) return false;
    w.push(now);
    return true;
  }

  /** 50 per second and 1000 per minute per app (message create/reply share these). */
  private allowApp(): boolean {
    const now = this.now();
    while (this.appWindow.length && this.appWindow[0]! <= now - 1000) this.appWindow.shift();
    while (this.minuteWindow.length && this.minuteWindow[0]! <= now - 60_000) this.minuteWindow.shift();
    if (this.appWindow.length >= (this.opts.appQps ?? 50) || this.minuteWindow.length >= 1000) return false;
    this.appWindow.push(now);
    this.minuteWindow.push(now);
    return true;
  }
}

/** Just enough multipart/form-data for the SDK's uploads and the console's file form. */
export function parseMultipartParts(
  body: Buffer,
  contentType: string,
): { name: string; filename?: string; data: Buffer }[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const out: { name: string; filename?: string; data: Buffer }[] = [];
  if (!boundary) return out;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const split = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, split).toString("utf8");
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    if (name && split >= 0)
      out.push({ name, ...(filename !== undefined ? { filename } : {}), data: part.subarray(split + 4) });
    at = next;
  }
  return out;
}

function parseMultipart(body: Buffer, contentType: string): Map<string, Buffer> {
  return new Map(parseMultipartParts(body, contentType).map((p) => [p.name, p.data]));
}

/** Card JSON 2.0 rules the platform enforces: valid JSON, schema 2.0, update_multi true, ≤ 30 KB, ≤ 200 elements. */
export function cardProblem(content: string): { code: number; msg: string } | null {
  if (Buffer.byteLength(content) > CARD_LIMIT_BYTES) return { code: 230025, msg: "card content too long (> 30 KB)" };
  let card: { schema?: string; config?: { update_multi?: boolean }; body?: { elements?: unknown[] } };
  try {
    card = JSON.parse(content) as typeof card;
  } catch {
    return { code: 230099, msg: "Failed to create card content, ext=ErrCode: 200621" };
  }
  if (card.schema !== "2.0") return { code: 230099, msg: "card schema must be 2.0" };
  if (card.config?.update_multi !== true) return { code: 230099, msg: "update_multi must be true" };
  const count = (els: unknown[] | undefined): number =>
    (els ?? []).reduce<number>(
      (n, e) =>
        n +
        1 +
        count((e as { elements?: unknown[]; columns?: unknown[] }).elements ?? (e as { columns?: unknown[] }).columns),
      0,
    );
  if (count(card.body?.elements) > 200)
    return { code: 230099, msg: "Failed to create card content, ext=ErrCode: 11310" };
  return null;
}
