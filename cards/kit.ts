/** Card JSON 2.0 building blocks (Feishu rejects unknown attributes, so only documented ones appear). */
import type { ActionValue } from "./actions";

export type Element = Record<string, unknown>;
export type Template = "blue" | "green" | "orange" | "red" | "grey" | "turquoise" | "purple";
export interface Card {
  schema: "2.0";
  config: { update_multi: true; summary?: { content: string } };
  header: {
    title: { tag: "plain_text"; content: string };
    subtitle?: { tag: "plain_text"; content: string };
    template: Template;
  };
  body: { elements: Element[] };
}

export function card(title: string, template: Template, elements: Element[], subtitle?: string): Card {
  return {
    schema: "2.0",
    config: { update_multi: true, summary: { content: title } },
    header: {
      title: { tag: "plain_text", content: title },
      ...(subtitle ? { subtitle: { tag: "plain_text" as const, content: subtitle } } : {}),
      template,
    },
    body: { elements },
  };
}

/** Markdown with the characters that would change its meaning escaped (names come from spreadsheets). */
export const esc = (s: unknown) => String(s ?? "").replace(/([\\*_~`[\]<>#|])/g, "\\$1");
export const md = (content: string): Element => ({ tag: "markdown", content });
export const hr = (): Element => ({ tag: "hr" });
export const at = (openId: string) => `<at id=${openId}></at>`;

export type ButtonType = "primary_filled" | "default" | "danger";
export interface Confirm {
  title: string;
  text: string;
}

export const plain = (content: string) => ({ tag: "plain_text" as const, content });
/** A select_static option whose value is its text (the server checks it against the same list). */
export const option = (v: string) => ({ text: plain(v), value: v });

const confirmOf = (confirm?: Confirm) =>
  confirm ? { confirm: { title: plain(confirm.title), text: plain(confirm.text) } } : {};

const callbackButton = (
  name: string,
  text: string,
  value: ActionValue,
  type: ButtonType,
  submit: boolean,
  confirm?: Confirm,
): Element => ({
  tag: "button",
  name,
  text: plain(text),
  type,
  ...(submit ? { form_action_type: "submit" } : {}),
  behaviors: [{ type: "callback", value }],
  ...confirmOf(confirm),
});

/** A button that calls back with `value`; its action must be one the bot registers (ACTION). */
export function button(
  name: string,
  text: string,
  value: ActionValue,
  type: ButtonType = "default",
  confirm?: Confirm,
): Element {
  return callbackButton(name, text, value, type, false, confirm);
}

/** A form's one submit button: the click brings the form's values along with `value`. */
export function submitButton(
  name: string,
  text: string,
  value: ActionValue,
  type: ButtonType = "primary_filled",
  confirm?: Confirm,
): Element {
  return callbackButton(name, text, value, type, true, confirm);
}

/** A form (only at the root of a card's body); every component in it needs a card-unique name. */
export const form = (name: string, elements: Element[]): Element => ({ tag: "form", name, elements });

/** A form with one required reason and its submit button (回避, 驳回, 有异议, 取消抽取). */
export function reasonForm(o: {
  name: string;
  placeholder: string;
  button: string;
  text: string;
  value: ActionValue;
  type?: ButtonType;
  maxLength?: number;
  confirm?: Confirm;
  /** The input's name: "reason", or "reason_<form>" where one card holds several reason forms. */
  field?: string;
}): Element {
  return form(o.name, [
    {
      tag: "input",
      name: o.field ?? "reason",
      required: true,
      max_length: o.maxLength ?? 300,
      placeholder: plain(o.placeholder),
    },
    submitButton(o.button, o.text, o.value, o.type ?? "danger", o.confirm),
  ]);
}

/** A plain message card: the bot's ordinary replies. */
export const notice = (title: string, body: string, template: Template = "blue"): Card =>
  card(title, template, [md(body)]);

export const cardBytes = (c: Card) => Buffer.byteLength(JSON.stringify(c));
export const MAX_CARD_BYTES = 30 * 1024;

/** Room left for a page's title suffix and Feishu's envelope. */
const PAGE_MARGIN = 1024;
const MAX_ELEMENTS = 200;

const countElements = (els: Element[]): number =>
  els.reduce<number>((n, e) => n + 1 + countElements((e["elements"] as Element[] | undefined) ?? []), 0);

/**
 * A list split into cards that each stay inside Feishu's 30 KB and 200-element limits: entries
 * (one or more elements each, never split) are packed in order; the title says 第 k/n 页 when
 * there is more than one page. `head` opens every page.
 */
export function pagedCards(
  title: string,
  template: Template,
  entries: Element[][],
  head: Element[] = [],
  limitBytes = MAX_CARD_BYTES,
): Card[] {
  const pages: Element[][] = [];
  let page: Element[] = [];
  const fits = (els: Element[]) =>
    cardBytes(card(title, template, [...head, ...els])) <= limitBytes - PAGE_MARGIN &&
    countElements([...head, ...els]) <= MAX_ELEMENTS;
  for (const entry of entries) {
    if (page.length > 0 && !fits([...page, ...entry])) {
      pages.push(page);
      page = [];
    }
    page.push(...entry); // an entry too big on its own still gets its own page (its builder must cap it)
  }
  if (page.length > 0 || pages.length === 0) pages.push(page);
  return pages.map((els, k) =>
    card(pages.length > 1 ? `${title}（第 ${k + 1}/${pages.length} 页）` : title, template, [...head, ...els]),
  );
}

/** Markdown lines as paged cards: lines are joined into as few markdown elements as the limits allow. */
export function pagedText(
  title: string,
  template: Template,
  lines: string[],
  head: Element[] = [],
  limitBytes = MAX_CARD_BYTES,
): Card[] {
  const budget = Math.floor((limitBytes - PAGE_MARGIN - cardBytes(card(title, template, head))) / 2); // JSON escaping may double a line
  const chunks: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (chunk.length > 0 && size + bytes > budget) {
      chunks.push(chunk.join("\n"));
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += bytes;
  }
  if (chunk.length > 0) chunks.push(chunk.join("\n"));
  return pagedCards(
    title,
    template,
    chunks.map((c) => [md(c)]),
    head,
    limitBytes,
  );
}
