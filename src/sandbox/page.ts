import { IMPORT_KINDS } from "../features/imports/kinds";
import { KIND_SPECS } from "../features/imports/kinds";
import { esc, mdToHtml, renderCard } from "./cardHtml";
import type { FakeMessage } from "./fakeFeishu";

/** The sandbox console's one page: plain HTML and CSS, a few lines of script, stacking below 720 px. */

export interface Person {
  openId: string;
  name: string;
  label: string;
}

export interface PageModel {
  as: string;
  people: Person[];
  group: { title: string; messages: (FakeMessage & { card?: Record<string, unknown> })[] };
  p2p: (FakeMessage & { card?: Record<string, unknown> })[];
  today: string;
  offsetDays: number;
  pinned: boolean;
  toast?: string;
  fileName: (m: FakeMessage) => string;
}

const STYLE = `*{box-sizing:border-box}body{font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2329;background:#f2f3f5;font-size:15px}
header{background:#fff;border-bottom:1px solid #dee0e3;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header h1{font-size:1.1rem;margin:0}header form{display:flex;gap:.4rem;align-items:center;margin:0}header select{max-width:16rem}
.date b{color:#3370ff}.note{color:#646a73;font-size:.85em}details.tpl{position:relative}details.tpl a{display:block;padding:.15rem 0}
.toast{background:#fffbe6;border:1px solid #ffe58f;padding:.4rem .8rem;margin:.6rem 1rem 0;border-radius:6px}
.panes{display:flex;gap:1rem;padding:1rem}.pane{flex:1;min-width:0;background:#fff;border:1px solid #dee0e3;border-radius:8px;display:flex;flex-direction:column}
.pane h2{font-size:1rem;margin:0;padding:.6rem .8rem;border-bottom:1px solid #dee0e3}
.log{height:calc(100vh - 15rem);min-height:18rem;overflow-y:auto;padding:.4rem .8rem;background:#f7f8fa}
.msg{margin:.6rem 0;max-width:100%}.msg .who{font-size:.8em;color:#646a73;margin-bottom:.15rem}.msg.me{text-align:right}.msg.me .bubble{background:#d6e4ff;display:inline-block;text-align:left}
.bubble{background:#fff;border:1px solid #e4e5e7;border-radius:8px;padding:.45rem .7rem;overflow-wrap:anywhere}
.composer{border-top:1px solid #dee0e3;padding:.5rem .8rem;display:flex;flex-direction:column;gap:.4rem}.composer form{display:flex;gap:.4rem;margin:0;flex-wrap:wrap}
.composer input[name=text]{flex:1;min-width:8rem}.pick{flex:1;min-width:0;position:relative;border:1px dashed #bbbfc4;border-radius:6px;padding:.3rem .5rem;color:#646a73;cursor:pointer;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
.pick input{position:absolute;inset:0;opacity:0;cursor:pointer;width:100%}.ficon{display:inline-block;font-size:.75em;background:#3370ff;color:#fff;border-radius:3px;padding:0 .3em;vertical-align:.1em}
input,select,textarea,button{font:inherit;font-size:.95em}input,select,textarea{border:1px solid #d0d3d6;border-radius:6px;padding:.3rem .4rem;max-width:100%}
.btn,button{white-space:nowrap;border:1px solid #d0d3d6;border-radius:6px;background:#fff;padding:.3rem .8rem;cursor:pointer}.btn.primary_filled,.btn.primary{background:#3370ff;color:#fff;border-color:#3370ff}.btn.danger{color:#f54a45;border-color:#f54a45}
button:disabled{opacity:.5;cursor:default}
.card{border:1px solid #dee0e3;border-radius:8px;background:#fff;overflow:hidden;max-width:36rem;text-align:left}.card .title{font-weight:600;padding:.5rem .8rem;background:#e1eaff}
.card .sub{font-weight:400;font-size:.85em;color:#646a73}.card.orange .title{background:#feead2}.card.green .title{background:#d9f5d6}.card.red .title{background:#fde2e2}.card.grey .title{background:#eff0f1}
.card.turquoise .title{background:#d5f6f2}.card.purple .title{background:#ece2fe}.cbody{padding:.5rem .8rem}.cbody>*{margin:.35rem 0}.cbody hr{border:0;border-top:1px solid #e4e5e7}
.card-form{display:flex;flex-direction:column;gap:.35rem}.field{display:flex;flex-direction:column;gap:.15rem}.lbl{font-size:.85em;color:#646a73}form.inline{display:inline-block;margin:.15rem .3rem .15rem 0}
.cols{display:flex;flex-wrap:wrap;gap:.6rem}.colm{min-width:8rem}.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #e4e5e7;padding:.25rem .5rem;text-align:left}th{background:#f5f6f7}
.at{color:#3370ff}code{font-size:.85em;overflow-wrap:anywhere}.fields{display:flex;flex-wrap:wrap}.fields>div{flex:1 1 100%}.fields>.short{flex:1 1 50%}
@media (max-width:720px){.panes{flex-direction:column;padding:.5rem;gap:.5rem}.log{height:auto;max-height:70vh;min-height:8rem}header{padding:.5rem}header select{max-width:100%}}`;

// Scroll each chat to its newest message; switching identity reloads as that person.
const SCRIPT = `for(const l of document.querySelectorAll(".log"))l.scrollTop=l.scrollHeight;
for(const i of document.querySelectorAll(".pick input"))i.addEventListener("change",()=>{i.nextElementSibling.textContent=i.files[0]?i.files[0].name:"选择文件（.xlsx / .csv）"});
document.getElementById("as").addEventListener("change",e=>{location="/sandbox?as="+encodeURIComponent(e.target.value)});`;

function messageHtml(
  m: FakeMessage & { card?: Record<string, unknown> },
  model: PageModel,
  names: Map<string, string>,
): string {
  const me = m.sender !== undefined && m.sender === model.as;
  const who = m.sender !== undefined ? (names.get(m.sender) ?? m.sender) : "双随机助手";
  let body: string;
  if (m.card) body = renderCard(m.card, { messageId: m.message_id, as: model.as, names });
  else if (m.msg_type === "file") {
    const key = (JSON.parse(m.content) as { file_key: string }).file_key;
    const href =
      m.sender !== undefined
        ? `/sandbox/file/${encodeURIComponent(m.message_id)}/${encodeURIComponent(key)}`
        : `/sandbox/file/${encodeURIComponent(key)}`;
    body = `<div class="bubble"><span class="ficon">文件</span> <a href="${href}">${esc(model.fileName(m))}</a></div>`;
  } else
    body = `<div class="bubble">${mdToHtml(String((JSON.parse(m.content) as { text?: string }).text ?? ""), names)}</div>`;
  return `<div class="msg${me ? " me" : ""}" data-id="${esc(m.message_id)}"><div class="who">${esc(who)}</div>${body}</div>`;
}

function composer(as: string, where: "group" | "p2p", placeholder: string): string {
  const hidden = `<input type="hidden" name="as" value="${esc(as)}"><input type="hidden" name="where" value="${where}">`;
  return `<div class="composer"><form method="post" action="/sandbox/say">${hidden}<input name="text" placeholder="${esc(placeholder)}" autocomplete="off" required><button class="btn primary_filled">发送</button></form>
<form method="post" action="/sandbox/upload" enctype="multipart/form-data">${hidden}<label class="pick"><input type="file" name="file" accept=".xlsx,.csv"><span>选择文件（.xlsx / .csv）</span></label><button>发送文件</button></form></div>`;
}

export function renderPage(model: PageModel): string {
  const names = new Map(model.people.map((p) => [p.openId, p.name]));
  const options = model.people
    .map((p) => `<option value="${esc(p.openId)}"${p.openId === model.as ? " selected" : ""}>${esc(p.label)}</option>`)
    .join("");
  const log = (messages: PageModel["p2p"]) =>
    messages.map((m) => messageHtml(m, model, names)).join("") || '<p class="note">（暂无消息）</p>';
  const templates = IMPORT_KINDS.map(
    (k) => `<a href="/sandbox/template/${k}" download>${esc(KIND_SPECS[k].title)}</a>`,
  ).join("");
  const offset = model.offsetDays
    ? `（${model.pinned ? "固定日期" : "今天"} + ${model.offsetDays} 天）`
    : model.pinned
      ? "（DRBOT_TODAY 固定）"
      : "";
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>沙盒 · 模拟飞书</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body>
<header><h1>沙盒 · 模拟飞书</h1>
<label>身份 <select id="as" name="as">${options}</select></label>
<form method="post" action="/sandbox/date" class="date"><input type="hidden" name="as" value="${esc(model.as)}"><span>模拟日期 <b id="today">${esc(model.today)}</b><span class="note">${esc(offset)}</span></span><input type="number" name="days" value="1" min="1" max="366" style="width:4.5em" aria-label="前进天数"> 天<button>前进</button></form>
<details class="tpl"><summary>下载模板</summary>${templates}</details>
<form method="post" action="/sandbox/reset" onsubmit="return confirm('清空所有抽取、结果与聊天记录，恢复演示数据？')"><input type="hidden" name="as" value="${esc(model.as)}"><button class="btn danger">重置演示数据</button></form>
<a href="/" class="note">登记簿与抽取记录</a></header>
${model.toast ? `<p class="toast" role="status">${esc(model.toast)}</p>` : ""}
<main class="panes"><section class="pane" id="group"><h2>${esc(model.group.title)}</h2><div class="log">${log(model.group.messages)}</div>${composer(model.as, "group", "@双随机助手 例如：抽取 T2026-01、进度、帮助")}</section>
<section class="pane" id="p2p"><h2>与机器人的私聊</h2><div class="log">${log(model.p2p)}</div>${composer(model.as, "p2p", "例如：我的任务、帮助；名录文件请在这里发送")}</section></main>
<script>${SCRIPT}</script></body></html>`;
}
