import Router from "@koa/router";
import type { Context } from "koa";
import { randomBytes } from "node:crypto";
import type { BureauClock } from "../clock";
import { templateWorkbook } from "../features/exports/workbook";
import { IMPORT_KINDS, type ImportKind } from "../features/imports/kinds";
import {
  botMention,
  cardActionEnvelope,
  messageEnvelope,
  p2pChatIdOf,
  webhookRequest,
  type CardResponse,
} from "../lark/wire";
import type { Logger } from "../logger";
import type { Db } from "../store/db";
import { requireToken } from "./access";
import { resetDemo } from "./demo";
import type { FakeFeishu, FakeMessage } from "./fakeFeishu";
import { parseMultipartParts } from "./multipart";
import { renderPage, type Person } from "./page";
import type { SandboxStore } from "./sandboxStore";

/**
 * The sandbox's chat: act as any demo user, send commands and files to the bot in the group or
 * privately, click card buttons, move the bureau date. Everything goes through the real pipeline —
 * events are POSTed to our own /lark/events and /lark/cards with the sandbox app's token, exactly as
 * Feishu would send them, and the bot downloads files from the simulated Feishu through the SDK.
 */

export interface ChatConsoleDeps {
  fake: FakeFeishu;
  db: Db;
  store: SandboxStore;
  clock: BureauClock;
  selfUrl: () => string;
  token: string;
  appId: string;
  groupChatId: string;
  /** Waits until the bot has handled what was sent and the simulated chat is written. */
  settle: () => Promise<void>;
  /** Off loopback the console needs this token (spec §2); null on loopback. */
  accessToken: string | null;
  /** DRBOT_TODAY pins the bureau date (the page says so). */
  datePinned?: boolean;
  /** Runs the new bureau day's jobs after 模拟日期 moved (wired to the daily jobs). */
  onDateMoved?: () => Promise<void>;
  logger?: Logger;
}

export const OFFSET_KEY = "clock.offsetDays";
const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

async function readBody(ctx: Context, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of ctx.req) {
    size += (c as Buffer).length;
    if (size > limit) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function chatConsoleRouter(deps: ChatConsoleDeps): Router {
  const router = new Router();
  let seq = 0;
  const app = { appId: deps.appId, token: deps.token, tenantKey: "sandbox" };
  /** Posted to our own webhook as Feishu posts it (the sandbox app has a verification token, no encrypt key). */
  const post = (path: string, envelope: unknown) =>
    fetch(`${deps.selfUrl()}${path}`, {
      method: "POST",
      ...webhookRequest(envelope, { timestampSec: Math.floor(Date.now() / 1000) }),
    });
  const form = async (ctx: Context) =>
    new URLSearchParams(((await readBody(ctx, 1024 * 1024)) ?? Buffer.alloc(0)).toString("utf8"));
  const back = (ctx: Context, as: string, toast?: string) =>
    ctx.redirect(`/sandbox?as=${encodeURIComponent(as)}${toast ? `&toast=${encodeURIComponent(toast)}` : ""}`);

  /** The roster's people with an open_id, each a user of the simulated Feishu with a private chat with the bot. */
  const people = async (): Promise<Person[]> => {
    const roster = await deps.db.inspector.findMany({ where: { openId: { not: null } }, orderBy: { certNo: "asc" } });
    const list = roster.map((p) => ({
      openId: p.openId!,
      name: p.name,
      label: `${p.name}（${p.roles.replace(/;/g, "、")}）`,
    }));
    for (const p of list) {
      deps.fake.addUser(p.openId, p.label);
      if (!deps.fake.chats.has(p2pChatIdOf(p.openId))) deps.fake.addChat(p2pChatIdOf(p.openId), "私聊", [p.openId]);
    }
    return list;
  };
  const knownAs = async (as: string) => (await people()).some((p) => p.openId === as);

  /** A person's message (text, or a file when `file` is given), as Feishu's im.message.receive_v1 delivers it. */
  const deliver = async (
    as: string,
    group: boolean,
    display: string,
    text: string,
    file?: { fileKey: string; fileName: string; bytes: Buffer },
  ) => {
    const chatId = group ? deps.groupChatId : p2pChatIdOf(as);
    const m = deps.fake.userSends(as, chatId, file ? "file" : "text", display, file);
    const envelope = messageEnvelope(app, {
      eventId: `sandbox-${Date.now()}${++seq}${randomBytes(2).toString("hex")}`,
      messageId: m.message_id,
      chatId,
      chatType: group ? "group" : "p2p",
      sender: as,
      text,
      file,
      mentions: group && !file ? [botMention(deps.fake.botOpenId)] : [],
      createTimeMs: Date.now(),
    });
    const res = await post("/lark/events", envelope);
    await deps.settle();
    return res.ok ? undefined : `机器人没有收下这条消息（HTTP ${res.status}）`;
  };

  router.use(requireToken(deps.accessToken));

  router.get("/sandbox", async (ctx) => {
    await deps.store.flush();
    const list = await people();
    const as = list.some((p) => p.openId === ctx.query["as"]) ? String(ctx.query["as"]) : (list[0]?.openId ?? "");
    const order = (a: FakeMessage, b: FakeMessage) =>
      a.create_time - b.create_time || (a.message_id < b.message_id ? -1 : 1);
    const fileName = (m: FakeMessage) => {
      const c = JSON.parse(m.content) as { file_key?: string; file_name?: string };
      return c.file_name ?? deps.fake.uploads.get(c.file_key ?? "")?.fileName ?? c.file_key ?? "文件";
    };
    ctx.type = "html";
    ctx.body = renderPage({
      as,
      people: list,
      group: {
        title: deps.fake.chats.get(deps.groupChatId)?.name ?? "抽查工作群",
        messages: deps.fake.sentTo(deps.groupChatId).sort(order),
      },
      p2p: [...deps.fake.sentTo(as), ...deps.fake.sentTo(p2pChatIdOf(as))].sort(order),
      today: deps.clock.today(),
      offsetDays: deps.clock.offsetDays,
      pinned: deps.datePinned === true,
      toast: typeof ctx.query["toast"] === "string" ? ctx.query["toast"] : undefined,
      fileName,
    });
  });

  // The bot's uploads (file_key) and files people sent (message_id/file_key).
  router.get(["/sandbox/file/:key", "/sandbox/file/:message/:key"], (ctx) => {
    const key = ctx.params["message"] ? `${ctx.params["message"]}/${ctx.params["key"]}` : (ctx.params["key"] ?? "");
    const upload = deps.fake.uploads.get(key);
    const bytes = upload?.bytes ?? deps.fake.files.get(key);
    if (!bytes) return ctx.throw(404, "没有这个文件");
    const sent = deps.fake.messages.find((m) => m.message_id === ctx.params["message"]);
    const name =
      upload?.fileName ?? (sent ? ((JSON.parse(sent.content) as { file_name?: string }).file_name ?? "file") : "file");
    ctx.set("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    ctx.body = bytes;
  });

  router.get("/sandbox/template/:kind", async (ctx) => {
    const kind = ctx.params["kind"] as ImportKind;
    if (!(IMPORT_KINDS as readonly string[]).includes(kind)) return ctx.throw(404, "没有这种名录");
    ctx.set("Content-Disposition", `attachment; filename="${kind}-template.xlsx"`);
    ctx.type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    ctx.body = await templateWorkbook(kind);
  });

  router.post("/sandbox/say", async (ctx) => {
    const f = await form(ctx);
    const as = f.get("as") ?? "";
    const text = (f.get("text") ?? "").trim();
    if (!(await knownAs(as))) return ctx.throw(400, "请选择一位示例人员");
    if (!text) return back(ctx, as, "请输入要发送的内容");
    const group = f.get("where") !== "p2p";
    back(
      ctx,
      as,
      await deliver(
        as,
        group,
        JSON.stringify({ text: group ? `@双随机助手 ${text}` : text }),
        group ? `@_user_1 ${text}` : text,
      ),
    );
  });

  router.post("/sandbox/upload", async (ctx) => {
    const body = await readBody(ctx, MAX_UPLOAD_BYTES);
    if (!body) return ctx.throw(413, "文件过大（沙盒上限 64 MB）");
    const parts = parseMultipartParts(body, String(ctx.get("content-type")));
    const field = (name: string) => parts.find((p) => p.name === name);
    const as = field("as")?.data.toString("utf8") ?? "";
    if (!(await knownAs(as))) return ctx.throw(400, "请选择一位示例人员");
    const file = field("file");
    if (!file?.filename || file.data.length === 0) return back(ctx, as, "请先选择要发送的文件");
    const fileKey = `file_v3_${randomBytes(8).toString("hex")}`;
    const content = JSON.stringify({ file_key: fileKey, file_name: file.filename });
    back(
      ctx,
      as,
      await deliver(as, field("where")?.data.toString("utf8") !== "p2p", content, "", {
        fileKey,
        fileName: file.filename,
        bytes: file.data,
      }),
    );
  });

  router.post("/sandbox/click", async (ctx) => {
    const f = await form(ctx);
    const as = f.get("as") ?? "";
    if (!(await knownAs(as))) return ctx.throw(400, "请选择一位示例人员");
    const messageId = f.get("message") ?? "";
    let clicked: { name?: string; value?: unknown };
    try {
      clicked = JSON.parse(f.get("btn") ?? "{}") as typeof clicked;
    } catch {
      return ctx.throw(400, "按钮数据无效");
    }
    // form_value as Feishu sends it: strings, string[] for multi-selects, dates with their offset.
    const formValue: Record<string, unknown> = {};
    for (const [k, v] of f) {
      if (k.startsWith("f_") && v !== "")
        formValue[k.slice(2)] = /^\d{4}-\d{2}-\d{2}$/.test(v)
          ? `${v} +0800`
          : /^\d{2}:\d{2}$/.test(v)
            ? `${v} +0800`
            : v;
      else if (k.startsWith("fm_"))
        formValue[k.slice(3)] = [...((formValue[k.slice(3)] as string[] | undefined) ?? []), v];
      else if (k.startsWith("fc_")) formValue[k.slice(3)] = true;
    }
    const inForm = [...f.keys()].some((k) => /^f[mc]?_/.test(k));
    const m = deps.fake.messages.find((x) => x.message_id === messageId);
    const res = await post(
      "/lark/cards",
      cardActionEnvelope(app, {
        eventId: `sandbox-card-${Date.now()}${++seq}`,
        operator: as,
        value: (clicked.value ?? {}) as Record<string, unknown>,
        ...(clicked.name ? { name: clicked.name } : {}),
        ...(inForm ? { formValue } : {}),
        messageId,
        chatId: m?.chat_id ?? deps.groupChatId,
        createTimeMs: Date.now(),
      }),
    );
    const answer = (await res.json().catch(() => ({}))) as CardResponse;
    // Feishu replaces the clicked card with the answer's card for everyone (update_multi).
    if (answer.card?.data) deps.fake.updateCard(messageId, JSON.stringify(answer.card.data));
    await deps.settle();
    back(ctx, as, answer.toast?.content ?? (res.ok ? undefined : "操作失败，请稍后重试"));
  });

  // 模拟日期: only the bureau date moves (the one clock's offset); the new day's jobs run at once.
  router.post("/sandbox/date", async (ctx) => {
    const f = await form(ctx);
    const as = f.get("as") ?? "";
    const days = Number(f.get("days"));
    if (!Number.isInteger(days) || days < 1 || days > 366) return back(ctx, as, "请输入 1 到 366 之间的天数");
    const offset = deps.clock.offsetDays + days;
    await deps.store.setState(OFFSET_KEY, String(offset));
    deps.clock.setOffsetDays(offset);
    let note = "";
    try {
      await deps.onDateMoved?.();
    } catch (e) {
      deps.logger?.error({ err: e }, "sandbox: jobs after the date move failed");
      note = "；当天的定时任务运行失败，详见日志";
    }
    await deps.settle();
    back(ctx, as, `模拟日期前进 ${days} 天，今天是 ${deps.clock.today()}${note}`);
  });

  router.post("/sandbox/reset", async (ctx) => {
    const as = (await form(ctx)).get("as") ?? "";
    await deps.settle();
    await resetDemo(deps.db, deps.clock.now());
    await deps.store.clear(deps.fake);
    deps.clock.setOffsetDays(0);
    back(ctx, as, "已恢复演示数据：抽取、结果、聊天记录与模拟日期均已清空");
  });

  return router;
}
