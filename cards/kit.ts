/** Card JSON 2.0 building blocks (Feishu rejects unknown attributes, so only documented ones appear). */

export type Element = Record<string, unknown>;
export type Template = "blue" | "green" | "orange" | "red" | "grey" | "turquoise" | "purple";
export interface Card {
  schema: "2.0";
  config: { update_multi: true; summary?: { content: string } };
  header: { title: { tag: "plain_text"; content: string }; subtitle?: { tag: "plain_text"; content: string }; template: Template };
  body: { elements: Element[] };
}

export function card(title: string, template: Template, elements: Element[], subtitle?: string): Card {
  return {
    schema: "2.0",
    config: { update_multi: true, summary: { content: title } },
    header: { title: { tag: "plain_text", content: title }, ...(subtitle ? { subtitle: { tag: "plain_text" as const, content: subtitle } } : {}), template },
    body: { elements },
  };
}

/** Markdown with the characters that would change its meaning escaped (names come from spreadsheets). */
export const esc = (s: unknown) => String(s ?? "").replace(/([\\*_~`[\]<>#|])/g, "\\$1");
export const md = (content: string): Element => ({ tag: "markdown", content });
export const hr = (): Element => ({ tag: "hr" });
export const at = (openId: string) => `<at id=${openId}></at>`;

export function button(name: string, text: string, value: Record<string, unknown>, type: "primary_filled" | "default" | "danger" = "default", confirm?: { title: string; text: string }): Element {
  return {
    tag: "button",
    name,
    text: { tag: "plain_text", content: text },
    type,
    behaviors: [{ type: "callback", value }],
    ...(confirm ? { confirm: { title: { tag: "plain_text", content: confirm.title }, text: { tag: "plain_text", content: confirm.text } } } : {}),
  };
}

/** A plain message card: the bot's ordinary replies. */
export const notice = (title: string, body: string, template: Template = "blue"): Card => card(title, template, [md(body)]);

export const cardBytes = (c: Card) => Buffer.byteLength(JSON.stringify(c));
export const MAX_CARD_BYTES = 30 * 1024;
