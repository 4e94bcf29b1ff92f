import Router from "@koa/router";
import { randomBytes } from "node:crypto";
import type { Db } from "../store/db";
import type { FakeFeishu } from "./fakeFeishu";

/**
 * The sandbox's chat: act as any demo user, send commands to the bot in the group or privately, and
 * click card buttons. Everything goes through the real pipeline — events are POSTed to our own
 * /lark/events and /lark/cards with the sandbox app's token, exactly as Feishu would send them.
 */

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
let names = new Map<string, string>(); // open_id → name, for @mentions in cards
const mdToHtml = (md: string) =>
  esc(md)
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/&lt;at id=(ou_[0-9a-z_]+)&gt;&lt;\/at&gt;/g, (_m, id: string) => `@${esc(names.get(id) ?? id)}`)
    .replace(/\\([\\*_~`[\]<>#|])/g, "$1")
    .replace(/\n/g, "<br>");

type El = Record<string, unknown>;
const text = (t: unknown) => (t && typeof t === "object" ? String((t as { content?: unknown }).content ?? "") : "");

function renderField(e: El): string {
  const name = esc(e["name"]);
  const label = esc(text(e["placeholder"]));
  if (e["tag"] === "select_static") {
    const options = (e["options"] as El[]).map((o) => `<option value="${esc(o["value"])}">${esc(text(o["text"]))}</option>`).join("");
    return `<label>${label}<select name="f_${name}"><option value=""></option>${options}</select></label>`;
  }
  if (e["tag"] === "date_picker") return `<label>${label}<input type="date" name="f_${name}" value="${esc(e["initial_date"] ?? "")}"></label>`;
  return `<label>${label}<input name="f_${name}" value="${esc(e["default_value"] ?? "")}"></label>`;
}

function actionForm(messageId: string, button: El, fields: El[], as: string): string {
  const value = ((button["behaviors"] as El[] | undefined) ?? [])[0]?.["value"];
  if (!value) return "";
  return `<form method="post" action="/sandbox/click" class="card-form"><input type="hidden" name="message" value="${esc(messageId)}"><input type="hidden" name="value" value="${esc(JSON.stringify(value))}"><input type="hidden" name="as" value="${esc(as)}">${fields.map(renderField).join("")}<button>${esc(text(button["text"]))}</button></form>`;
}

function renderCard(messageId: string, card: El, as: string): string {
  const header = card["header"] as El | undefined;
  const elements = ((card["body"] as El | undefined)?.["elements"] as El[] | undefined) ?? [];
  const parts = elements.map((e) => {
    if (e["tag"] === "markdown") return `<div>${mdToHtml(String(e["content"]))}</div>`;
    if (e["tag"] === "hr") return "<hr>";
    if (e["tag"] === "button") return actionForm(messageId, e, [], as);
    if (e["tag"] === "form") {
      const inner = (e["elements"] as El[]) ?? [];
      const submit = inner.find((x) => x["tag"] === "button");
      return submit ? actionForm(messageId, submit, inner.filter((x) => x !== submit), as) : "";
    }
    return "";
  });
  return `<div class="card ${esc(header?.["template"] ?? "")}"><div class="title">${esc(text(header?.["title"]))}</div>${parts.join("")}</div>`;
}

export interface ChatConsoleDeps {
  fake: FakeFeishu;
  db: Db;
  selfUrl: () => string;
  token: string;
  appId: string;
  groupChatId: string;
  settle: () => Promise<void>;
}

const p2pChatOf = (openId: string) => `oc_p2p_${openId.slice(3)}`;

export function chatConsoleRouter(deps: ChatConsoleDeps): Router {
  const router = new Router();
  let seq = 0;
  const post = (path: string, body: unknown) => fetch(`${deps.selfUrl()}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const form = async (ctx: { req: NodeJS.ReadableStream }) => {
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  };

  router.get("/sandbox", async (ctx) => {
    const roster = await deps.db.inspector.findMany({ where: { openId: { not: null } }, orderBy: { certNo: "asc" } });
    const people = roster.map((p) => ({ openId: p.openId!, label: `${p.name}（${p.roles.replace(/;/g, "、")}）` }));
    names = new Map(roster.map((p) => [p.openId!, p.name]));
    const as = String(ctx.query["as"] ?? people[0]?.openId ?? "");
    for (const p of people) {
      deps.fake.addUser(p.openId, p.label);
      if (!deps.fake.chats.has(p2pChatOf(p.openId))) deps.fake.addChat(p2pChatOf(p.openId), "私聊", [p.openId]);
    }
    const log = (...receivers: string[]) =>
      receivers
        .flatMap((r) => deps.fake.sentTo(r))
        .sort((a, b) => a.create_time - b.create_time || (a.message_id < b.message_id ? -1 : 1))
        .slice(-25)
        .map((m) => {
          if (m.card) return renderCard(m.message_id, m.card, as);
          if (m.msg_type === "file") {
            const key = (JSON.parse(m.content) as { file_key: string }).file_key;
            return `<div class="text">📎 <a href="/sandbox/file/${esc(key)}">${esc(deps.fake.uploads.get(key)?.fileName ?? key)}</a></div>`;
          }
          return `<div class="text">${mdToHtml(String((JSON.parse(m.content) as { text?: string }).text ?? ""))}</div>`;
        })
        .join("") || '<p class="note">（暂无消息）</p>';
    const options = people.map((p) => `<option value="${esc(p.openId)}"${p.openId === as ? " selected" : ""}>${esc(p.label)}</option>`).join("");
    const toast = ctx.query["toast"] ? `<p class="toast">${esc(ctx.query["toast"])}</p>` : "";
    ctx.type = "html";
    ctx.body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>沙盒 · 模拟飞书</title><style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:1.5rem;color:#1f2329}.cols{display:flex;gap:1.5rem}.col{flex:1;min-width:0}
.card{border:1px solid #dee0e3;border-radius:8px;margin:.6rem 0;padding:.6rem .8rem;background:#fff}.card .title{font-weight:600;margin-bottom:.4rem}
.card.orange .title{color:#d46b08}.card.green .title{color:#389e0d}.card.red .title{color:#cf1322}.card.grey .title{color:#8f959e}
.text{background:#f5f6f7;border-radius:8px;padding:.5rem .7rem;margin:.6rem 0}.card-form{margin:.4rem 0}.card-form label{display:block;font-size:.9em;margin:.2rem 0}
.toast{background:#fffbe6;border:1px solid #ffe58f;padding:.4rem .7rem}.note{color:#646a73}code{font-size:.8em;word-break:break-all}</style></head><body>
<h1>沙盒 · 模拟飞书</h1><p class="note">以任一示例人员的身份在群里 @机器人 或私聊发命令、点击卡片按钮；请求按飞书的格式发到本机的 /lark/events 与 /lark/cards。<a href="/">返回控制台</a></p>${toast}
<form method="post" action="/sandbox/say"><select name="as" onchange="location='/sandbox?as='+this.value">${options}</select>
<select name="where"><option value="group">在群里 @双随机助手</option><option value="p2p">私聊机器人</option></select>
<input name="text" placeholder="例如：抽取 T2026-01、我的任务、帮助" size="36"> <button>发送</button></form>
<div class="cols"><div class="col"><h2>抽查工作群</h2>${log(deps.groupChatId)}</div>
<div class="col"><h2>与机器人的私聊</h2>${log(as, p2pChatOf(as))}</div></div></body></html>`;
  });

  router.get("/sandbox/file/:key", (ctx) => {
    const file = deps.fake.uploads.get(ctx.params.key ?? "");
    if (!file) return ctx.throw(404, "没有这个文件");
    ctx.set("Content-Disposition", `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`);
    ctx.body = file.bytes;
  });

  router.post("/sandbox/say", async (ctx) => {
    const f = await form(ctx);
    const as = f.get("as") ?? "";
    const group = f.get("where") !== "p2p";
    const id = `${Date.now()}${++seq}${randomBytes(2).toString("hex")}`;
    await post("/lark/events", {
      schema: "2.0",
      header: { event_id: `sandbox-${id}`, event_type: "im.message.receive_v1", create_time: String(Date.now()), token: deps.token, app_id: deps.appId, tenant_key: "sandbox" },
      event: {
        sender: { sender_id: { open_id: as }, sender_type: "user" },
        message: {
          message_id: `om_sandbox_${id}`,
          chat_id: group ? deps.groupChatId : p2pChatOf(as),
          chat_type: group ? "group" : "p2p",
          message_type: "text",
          content: JSON.stringify({ text: group ? `@_user_1 ${f.get("text") ?? ""}` : (f.get("text") ?? "") }),
          mentions: group ? [{ key: "@_user_1", id: { open_id: deps.fake.botOpenId }, name: "双随机助手", mentioned_type: "bot" }] : [],
        },
      },
    });
    await deps.settle();
    ctx.redirect(`/sandbox?as=${encodeURIComponent(as)}`);
  });

  router.post("/sandbox/click", async (ctx) => {
    const f = await form(ctx);
    const as = f.get("as") ?? "";
    const messageId = f.get("message") ?? "";
    const formValue: Record<string, string> = {};
    for (const [k, v] of f) if (k.startsWith("f_") && v !== "") formValue[k.slice(2)] = /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v} +0800` : v;
    const res = await post("/lark/cards", {
      schema: "2.0",
      header: { event_id: `sandbox-card-${Date.now()}${++seq}`, token: deps.token, create_time: String(Date.now() * 1000), event_type: "card.action.trigger", tenant_key: "sandbox", app_id: deps.appId },
      event: {
        operator: { open_id: as, tenant_key: "sandbox" },
        token: "c-sandbox",
        action: { value: JSON.parse(f.get("value") ?? "{}"), tag: "button", ...(Object.keys(formValue).length ? { form_value: formValue } : {}) },
        host: "im_message",
        context: { open_message_id: messageId, open_chat_id: deps.groupChatId },
      },
    });
    const answer = (await res.json()) as { toast?: { content?: string }; card?: { data?: unknown } };
    // Feishu replaces the clicked card with the answer's card for everyone (update_multi).
    const m = deps.fake.messages.find((x) => x.message_id === messageId);
    if (m && answer.card?.data) m.updates.push(JSON.stringify(answer.card.data));
    await deps.settle();
    ctx.redirect(`/sandbox?as=${encodeURIComponent(as)}${answer.toast?.content ? `&toast=${encodeURIComponent(answer.toast.content)}` : ""}`);
  });

  return router;
}
