/**
 * Card JSON 2.0 as plain HTML, close to how the Feishu client draws it: markdown, div, column_set,
 * hr, table, button (with its confirm dialog), form and its inputs, collapsible panels, and a chart
 * shown as its data table. A click posts the same callback Feishu would (see chatConsole.ts).
 */

export const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

type El = Record<string, unknown>;
export interface CardContext {
  messageId: string;
  as: string;
  /** open_id → name, for <at> in markdown. */
  names: ReadonlyMap<string, string>;
}

export function mdToHtml(md: string, names: ReadonlyMap<string, string>): string {
  return esc(md)
    .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
    .replace(/~~(.+?)~~/g, "<s>$1</s>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(
      /&lt;at id=(all|ou_[0-9a-z_]+)&gt;&lt;\/at&gt;/g,
      (_m, id: string) => `<span class="at">@${esc(id === "all" ? "所有人" : (names.get(id) ?? id))}</span>`,
    )
    .replace(/\\([\\*_~`[\]<>#|])/g, "$1")
    .replace(/\n/g, "<br>");
}

const text = (t: unknown): string =>
  t && typeof t === "object" ? String((t as { content?: unknown }).content ?? "") : typeof t === "string" ? t : "";
const textHtml = (t: unknown, ctx: CardContext): string =>
  t && typeof t === "object" && (t as El)["tag"] === "lark_md" ? mdToHtml(text(t), ctx.names) : esc(text(t));
const children = (e: El, key = "elements") =>
  ((e[key] as El[] | undefined) ?? []).filter((x) => x && typeof x === "object");

const hidden = (ctx: CardContext) =>
  `<input type="hidden" name="message" value="${esc(ctx.messageId)}"><input type="hidden" name="as" value="${esc(ctx.as)}">`;

function button(e: El, ctx: CardContext, inForm: boolean): string {
  const value = ((e["behaviors"] as El[] | undefined) ?? []).find((b) => b["type"] === "callback")?.["value"];
  const url = ((e["behaviors"] as El[] | undefined) ?? []).find((b) => b["type"] === "open_url")?.["default_url"];
  const kind = esc(String(e["type"] ?? "default"));
  const label = esc(text(e["text"]));
  if (url) return `<a class="btn ${kind}" href="${esc(url)}" target="_blank" rel="noopener">${label}</a>`;
  const confirm = e["confirm"] as El | undefined;
  const onclick = confirm
    ? ` onclick="return confirm(this.dataset.confirm)" data-confirm="${esc(`${text(confirm["title"])}\n${text(confirm["text"])}`)}"`
    : "";
  const disabled = e["disabled"] === true || value === undefined ? " disabled" : "";
  const payload = esc(JSON.stringify({ name: e["name"] ?? "", value: value ?? null }));
  const tag = `<button class="btn ${kind}" name="btn" value="${payload}"${onclick}${disabled}>${label}</button>`;
  // Outside a form a button is its own callback; inside, a submit sends the form's values with it.
  return inForm ? tag : `<form method="post" action="/sandbox/click" class="inline">${hidden(ctx)}${tag}</form>`;
}

function field(e: El, ctx: CardContext): string {
  const name = esc(e["name"]);
  const placeholder = esc(text(e["placeholder"]));
  const required = e["required"] === true ? " required" : "";
  const label = e["label"] ? `<span class="lbl">${esc(text(e["label"]))}</span>` : "";
  const options = (selected: (v: string) => boolean) =>
    children(e, "options")
      .map(
        (o) =>
          `<option value="${esc(o["value"])}"${selected(String(o["value"])) ? " selected" : ""}>${esc(text(o["text"]))}</option>`,
      )
      .join("");
  switch (e["tag"]) {
    case "select_static":
      return `<label class="field">${label || `<span class="lbl">${placeholder}</span>`}<select name="f_${name}"${required}><option value="">${placeholder || "请选择"}</option>${options((v) => v === e["initial_option"])}</select></label>`;
    case "multi_select_static": {
      const chosen = new Set(((e["selected_values"] as string[] | undefined) ?? []).map(String));
      return `<label class="field">${label || `<span class="lbl">${placeholder}</span>`}<select multiple name="fm_${name}"${required}>${options((v) => chosen.has(v))}</select></label>`;
    }
    case "date_picker":
      return `<label class="field"><span class="lbl">${label || placeholder}</span><input type="date" name="f_${name}" value="${esc(e["initial_date"] ?? "")}"${required}></label>`;
    case "picker_time":
      return `<label class="field"><span class="lbl">${label || placeholder}</span><input type="time" name="f_${name}" value="${esc(e["initial_time"] ?? "")}"${required}></label>`;
    case "checker":
      return `<label class="check"><input type="checkbox" name="fc_${name}"${e["checked"] === true ? " checked" : ""}> ${textHtml(e["text"], ctx)}</label>`;
    default: {
      const value = esc(e["default_value"] ?? "");
      const max = typeof e["max_length"] === "number" ? ` maxlength="${e["max_length"]}"` : "";
      const input =
        e["input_type"] === "multiline_text"
          ? `<textarea name="f_${name}" placeholder="${placeholder}" rows="${Number(e["rows"] ?? 3)}"${max}${required}>${value}</textarea>`
          : `<input name="f_${name}" placeholder="${placeholder}" value="${value}"${max}${required}>`;
      return `<label class="field">${label}${input}</label>`;
    }
  }
}

function table(e: El): string {
  const columns = children(e, "columns");
  const cell = (v: unknown): string =>
    Array.isArray(v)
      ? v.map((x) => cell(x && typeof x === "object" ? ((x as El)["text"] ?? (x as El)["name"] ?? "") : x)).join("、")
      : esc(typeof v === "object" && v ? text(v) : v);
  const head = columns.map((c) => `<th>${esc(c["display_name"] ?? c["name"])}</th>`).join("");
  const rows = children(e, "rows")
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[String(c["name"])])}</td>`).join("")}</tr>`)
    .join("");
  return `<div class="scroll"><table><tr>${head}</tr>${rows}</table></div>`;
}

/** Feishu draws a chart with VChart; the sandbox shows its title and its data as a table. */
function chart(e: El): string {
  const spec = (e["chart_spec"] as El | undefined) ?? {};
  const title = text(spec["title"]) || String((spec["title"] as El | undefined)?.["text"] ?? "图表");
  const data = spec["data"];
  const values = (
    Array.isArray(data)
      ? data.flatMap((d) => ((d as El)["values"] as El[] | undefined) ?? [])
      : (((data as El | undefined)?.["values"] as El[] | undefined) ?? [])
  ).slice(0, 100);
  const keys = [...new Set(values.flatMap((v) => Object.keys(v)))];
  const rows = values.map((v) => `<tr>${keys.map((k) => `<td>${esc(v[k])}</td>`).join("")}</tr>`).join("");
  return `<div class="chart"><div class="lbl">［图表］${esc(title)}（${esc(spec["type"] ?? "chart")}，沙盒以表格显示）</div>${keys.length ? `<div class="scroll"><table><tr>${keys.map((k) => `<th>${esc(k)}</th>`).join("")}</tr>${rows}</table></div>` : ""}</div>`;
}

function element(e: El, ctx: CardContext, inForm: boolean): string {
  switch (e["tag"]) {
    case "markdown":
      return `<div class="md">${mdToHtml(String(e["content"] ?? ""), ctx.names)}</div>`;
    case "div": {
      const fields = children(e, "fields").map(
        (f) => `<div class="${f["is_short"] ? "short" : ""}">${textHtml(f["text"], ctx)}</div>`,
      );
      return `<div class="md">${textHtml(e["text"], ctx)}${fields.length ? `<div class="fields">${fields.join("")}</div>` : ""}</div>`;
    }
    case "hr":
      return "<hr>";
    case "column_set":
      return `<div class="cols">${children(e, "columns")
        .map(
          (c) =>
            `<div class="colm" style="flex:${Number(c["weight"] ?? 1) || 1} 1 0">${children(c)
              .map((x) => element(x, ctx, inForm))
              .join("")}</div>`,
        )
        .join("")}</div>`;
    case "collapsible_panel":
      return `<details${e["expanded"] ? " open" : ""}><summary>${esc(text((e["header"] as El | undefined)?.["title"]))}</summary>${children(
        e,
      )
        .map((x) => element(x, ctx, inForm))
        .join("")}</details>`;
    case "interactive_container":
      return `<div class="box">${children(e)
        .map((x) => element(x, ctx, inForm))
        .join("")}</div>`;
    case "table":
      return table(e);
    case "chart":
      return chart(e);
    case "img":
      return `<div class="note">［图片${e["alt"] ? `：${esc(text(e["alt"]))}` : ""}］</div>`;
    case "person":
      return `<span class="at">@${esc(ctx.names.get(String(e["user_id"])) ?? e["user_id"])}</span>`;
    case "button":
      return button(e, ctx, inForm);
    case "form":
      return `<form method="post" action="/sandbox/click" class="card-form">${hidden(ctx)}${children(e)
        .map((x) => element(x, ctx, true))
        .join("")}</form>`;
    case "input":
    case "select_static":
    case "multi_select_static":
    case "date_picker":
    case "picker_time":
    case "checker":
      return field(e, ctx);
    default:
      return `<div class="note">［沙盒暂不显示「${esc(e["tag"])}」元素］</div>`;
  }
}

export function renderCard(card: El, ctx: CardContext): string {
  const header = card["header"] as El | undefined;
  const body = children((card["body"] as El | undefined) ?? {}).map((e) => element(e, ctx, false));
  const subtitle = text(header?.["subtitle"]);
  return `<div class="card ${esc(header?.["template"] ?? "blue")}"><div class="title">${esc(text(header?.["title"]))}${subtitle ? `<div class="sub">${esc(subtitle)}</div>` : ""}</div><div class="cbody">${body.join("")}</div></div>`;
}
