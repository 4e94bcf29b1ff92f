import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { directoryRoutes } from "./fakeDirectory";
import { longConnectionRoutes, upgradeLongConnection } from "./fakeLongConnection";
import { FakeLimits, messageRoutes } from "./fakeMessages";

/** The platform's card rules (./cardRules), re-exported for the tests that check cards against them. */
export { cardProblem } from "./cardRules";

/**
 * A simulated Feishu Open Platform: a real HTTP server that the real SDK talks to through its
 * `domain` option. It answers the shapes Feishu answers and refuses what Feishu refuses (tokens,
 * bot not in chat, unknown users, card rules and size, uuid idempotency, per-target 5 QPS → 230020,
 * per-app 50/s → HTTP 429 99991400 with x-ogw-ratelimit-reset). The sandbox embeds it; tests use it
 * as the fake platform. The routes are grouped by API: fakeMessages.ts (im/v1), fakeDirectory.ts
 * (bot, contact, chat members), fakeLongConnection.ts (LARK_MODE=ws); answers have the shapes of
 * test/fixtures/lark/10-openapi-responses.json.
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

/** One call to the simulated platform, as the route groups see it. */
export interface FakeRequest {
  method: string;
  path: string;
  url: URL;
  headers: IncomingMessage["headers"];
  /** The JSON body ({} for multipart or empty); `raw` holds the bytes. */
  body: Record<string, unknown>;
  raw: Buffer;
  send(status: number, payload: Record<string, unknown>, headers?: Record<string, string>): void;
  sendBytes(bytes: Buffer): void;
}

/** A group of routes: answers and returns true when the call is one of its own. */
type RouteGroup = (fake: FakeFeishu, r: FakeRequest) => boolean;
const AUTHENTICATED: RouteGroup[] = [directoryRoutes, messageRoutes];

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
  readonly limits: FakeLimits;
  listener: FakeListener | null = null;
  private server: Server | null = null;
  private base = "";
  private seq = 0;
  /** The long connection (LARK_MODE=ws): "accept" hands out an endpoint and accepts the WebSocket; "refuse" answers 403. */
  wsEndpoint: "accept" | "refuse" = "accept";
  /** Open long connections (raw sockets after the WebSocket handshake). */
  readonly wsSockets = new Set<Duplex>();
  readonly botOpenId: string;
  /** The platform's clock (ms), injectable for the 14-day and rate-limit windows. */
  readonly now: () => number;

  constructor(readonly opts: Options) {
    this.botOpenId = opts.botOpenId ?? "ou_b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
    this.now = opts.now ?? (() => Date.now());
    this.limits = new FakeLimits(this.now, opts.perTargetQps, opts.appQps);
  }

  /** Where the platform listens (after listen()). */
  get baseUrl(): string {
    return this.base;
  }

  nextMessageId(): string {
    return `om_${(++this.seq).toString(16).padStart(32, "0")}`;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.on("upgrade", (req, socket) => upgradeLongConnection(this, req, socket));
    await new Promise<void>((resolve) => this.server!.listen(port, host, () => resolve()));
    const a = this.server.address();
    this.base = `http://${host}:${typeof a === "object" && a ? a.port : port}`;
    return this.base;
  }

  async close(): Promise<void> {
    this.dropWs();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
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
      message_id: this.nextMessageId(),
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
    const raw = Buffer.concat(chunks);
    let body: Record<string, unknown> = {};
    try {
      body = chunks.length ? (JSON.parse(raw.toString("utf8")) as Record<string, unknown>) : {};
    } catch {
      /* multipart or empty */
    }
    const call = (status: number, code: number) =>
      this.calls.push({ method: req.method ?? "", path: url.pathname, status, code, at: this.now() });
    const r: FakeRequest = {
      method: req.method ?? "",
      path: url.pathname,
      url,
      headers: req.headers,
      body,
      raw,
      send: (status, payload, headers) => {
        call(status, Number(payload["code"] ?? 0));
        json(res, status, payload, headers);
      },
      sendBytes: (bytes) => {
        call(200, 0);
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
        res.end(bytes);
      },
    };

    if (longConnectionRoutes(this, r)) return;
    if (r.method === "POST" && r.path === "/open-apis/auth/v3/tenant_access_token/internal") {
      if (body["app_id"] !== this.opts.appId || body["app_secret"] !== this.opts.appSecret)
        return r.send(400, { code: 10014, msg: "app secret invalid" });
      const token = `t-${randomBytes(12).toString("hex")}`;
      this.tokens.add(token);
      return r.send(200, { code: 0, msg: "ok", tenant_access_token: token, expire: 7200 });
    }
    const auth = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!this.tokens.has(auth))
      return r.send(400, {
        code: 99991663,
        msg: "Invalid access token for authorization. Please make a request with token attached.",
      });

    const failure = this.failures.find((f) => f.times > 0 && f.match(r.path, body));
    if (failure) {
      failure.times--;
      return r.send(failure.status, { code: failure.code, msg: failure.msg });
    }
    if (AUTHENTICATED.some((group) => group(this, r))) return;
    r.send(404, { code: 404, msg: `fake Feishu has no ${r.method} ${r.path}` });
  }
}
