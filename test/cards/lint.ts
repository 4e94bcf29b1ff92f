/**
 * A card linter: the Card JSON 2.0 rules our cards rely on (../shared/reference/lark-platform.md §4),
 * checked on a built card without a Feishu round-trip. Returns every problem found, each naming the
 * path of the element, so a failing test says what to fix.
 */
import { ACTION_NAMES } from "../../cards/actions";
import { cardBytes, MAX_CARD_BYTES, type Card } from "../../cards/kit";

type El = Record<string, unknown>;

const COMMON = ["tag", "element_id", "margin"];
/**
 * The components we use, with the attributes each may carry (2.0 rejects unknown attributes).
 * `null`: a known tag whose attributes we don't check (not used by our cards today).
 */
const TAGS: Record<string, string[] | null> = {
  markdown: ["content", "text_align", "text_size", "icon"],
  hr: [],
  div: null,
  column_set: null,
  column: null,
  table: null,
  img: null,
  chart: ["chart_spec", "aspect_ratio", "color_theme", "preview", "height"],
  button: [
    "name",
    "text",
    "type",
    "size",
    "width",
    "icon",
    "disabled",
    "disabled_tips",
    "hover_tips",
    "confirm",
    "behaviors",
    "form_action_type",
  ],
  form: ["name", "elements", "direction", "horizontal_spacing", "vertical_spacing", "padding", "horizontal_align"],
  input: [
    "name",
    "required",
    "placeholder",
    "default_value",
    "max_length",
    "label",
    "label_position",
    "input_type",
    "rows",
    "width",
    "disabled",
  ],
  select_static: ["name", "required", "placeholder", "options", "initial_option", "width", "disabled", "type"],
  multi_select_static: ["name", "required", "placeholder", "options", "selected_values", "width", "disabled", "type"],
  date_picker: ["name", "required", "placeholder", "initial_date", "width", "disabled"],
  picker_time: ["name", "required", "placeholder", "initial_time", "width", "disabled"],
  picker_datetime: ["name", "required", "placeholder", "initial_datetime", "width", "disabled"],
  checker: ["name", "checked", "text", "overall_checkable", "behaviors", "disabled"],
};
/** Components whose value a form submits: each needs a card-unique name. */
const INTERACTIVE = new Set([
  "button",
  "input",
  "select_static",
  "multi_select_static",
  "date_picker",
  "picker_time",
  "picker_datetime",
  "checker",
]);
const MAX_ELEMENTS = 200;

const isText = (t: unknown): boolean =>
  typeof t === "object" &&
  t !== null &&
  ((t as El)["tag"] === "plain_text" || (t as El)["tag"] === "lark_md") &&
  typeof (t as El)["content"] === "string";

const children = (e: El): El[] => [
  ...(((e["elements"] as El[] | undefined) ?? []) as El[]),
  ...(((e["columns"] as El[] | undefined) ?? []) as El[]),
];

/** Every problem with `card` (empty: it passes). */
export function lintCard(card: Card | unknown): string[] {
  const problems: string[] = [];
  const c = card as El & { config?: El; header?: El; body?: { elements?: unknown } };
  if (c["schema"] !== "2.0") problems.push(`schema must be "2.0", is ${JSON.stringify(c["schema"])}`);
  if (c.config?.["update_multi"] !== true) problems.push("config.update_multi must be true");
  if (!isText((c.header as El | undefined)?.["title"])) problems.push("header.title must be a plain_text");
  const bytes = cardBytes(card as Card);
  if (bytes > MAX_CARD_BYTES) problems.push(`card is ${bytes} bytes, over Feishu's ${MAX_CARD_BYTES}`);
  const root = c.body?.elements;
  if (!Array.isArray(root)) return [...problems, "body.elements must be an array"];

  let count = 0;
  const cardNames = new Map<string, string>();
  const walk = (e: El, path: string, form: string | null, depth: number) => {
    count++;
    const tag = String(e["tag"]);
    const allowed = TAGS[tag];
    if (allowed === undefined) return void problems.push(`${path}: unknown tag "${tag}"`);
    if (allowed)
      for (const key of Object.keys(e))
        if (!COMMON.includes(key) && !allowed.includes(key))
          problems.push(`${path} (${tag}): attribute "${key}" is not a ${tag} attribute`);
    if (tag === "form") {
      if (depth > 0) problems.push(`${path}: a form may only sit at the root of body.elements`);
      if (form) problems.push(`${path}: a form may not contain a form`);
    }
    if (form && (tag === "table" || tag === "chart")) problems.push(`${path}: a form may not contain a ${tag}`);
    if ("required" in e && !form) problems.push(`${path} (${tag}): "required" is only valid inside a form`);
    if (INTERACTIVE.has(tag)) {
      const name = e["name"];
      if (form && (typeof name !== "string" || name === ""))
        problems.push(`${path} (${tag}): a component in a form needs a name`);
      if (typeof name === "string" && name !== "") {
        const seen = cardNames.get(name);
        if (seen) problems.push(`${path}: name "${name}" is already used at ${seen} (names must be card-unique)`);
        else cardNames.set(name, path);
      }
      if ("placeholder" in e && !isText(e["placeholder"])) problems.push(`${path}: placeholder must be a plain_text`);
    }
    if (tag === "markdown" && typeof e["content"] !== "string") problems.push(`${path}: markdown without content`);
    if (tag === "button") {
      if (!isText(e["text"])) problems.push(`${path}: button text must be a plain_text`);
      const behaviors = (e["behaviors"] as El[] | undefined) ?? [];
      const callbacks = behaviors.filter((b) => b["type"] === "callback");
      if (callbacks.length === 0 && !behaviors.some((b) => b["type"] === "open_url"))
        problems.push(`${path}: a button needs a callback (or open_url) behavior`);
      for (const b of callbacks) {
        const action = (b["value"] as El | undefined)?.["action"];
        if (!(ACTION_NAMES as readonly unknown[]).includes(action))
          problems.push(`${path}: callback action ${JSON.stringify(action)} is not in ACTION (no handler)`);
      }
      if (e["form_action_type"] !== undefined && !form)
        problems.push(`${path}: form_action_type outside a form has no effect`);
      const confirm = e["confirm"] as El | undefined;
      if (confirm && (!isText(confirm["title"]) || !isText(confirm["text"])))
        problems.push(`${path}: confirm needs a plain_text title and text`);
    }
    if (tag === "input") {
      const max = e["max_length"];
      if (max !== undefined && !(Number.isInteger(max) && (max as number) >= 1 && (max as number) <= 1000))
        problems.push(`${path}: input max_length must be 1–1000`);
    }
    if (tag === "select_static" || tag === "multi_select_static") {
      const options = (e["options"] as El[] | undefined) ?? [];
      if (options.length === 0) problems.push(`${path}: a select needs options`);
      const values = options.map((o) => o["value"]);
      if (options.some((o) => !isText(o["text"]) || typeof o["value"] !== "string"))
        problems.push(`${path}: every option needs a plain_text text and a string value`);
      if (new Set(values).size !== values.length) problems.push(`${path}: option values repeat`);
      if ("initial_option" in e && !values.includes(e["initial_option"]))
        problems.push(`${path}: initial_option ${JSON.stringify(e["initial_option"])} is not an option`);
    }
    if (tag === "date_picker" && "initial_date" in e && !/^\d{4}-\d{2}-\d{2}$/.test(String(e["initial_date"])))
      problems.push(`${path}: initial_date must be yyyy-MM-dd`);
    if (tag === "chart" && typeof e["chart_spec"] !== "object") problems.push(`${path}: chart without chart_spec`);
    const inner = children(e);
    inner.forEach((x, k) => walk(x, `${path}.${k}`, tag === "form" ? path : form, depth + 1));
    if (tag === "form") lintForm(e, inner, path);
  };
  const lintForm = (e: El, inner: El[], path: string) => {
    if (typeof e["name"] !== "string" || e["name"] === "") problems.push(`${path}: a form needs a name`);
    const all = (els: El[]): El[] => els.flatMap((x) => [x, ...all(children(x))]);
    const submits = all(inner).filter((x) => x["tag"] === "button" && x["form_action_type"] === "submit");
    if (submits.length !== 1)
      problems.push(`${path} (form ${String(e["name"])}): needs exactly one submit button, has ${submits.length}`);
    for (const b of submits)
      if ((b["behaviors"] as El[] | undefined)?.every((x) => x["type"] !== "callback"))
        problems.push(`${path}: the submit button needs a callback (the form's values come with it)`);
  };
  root.forEach((e, k) => walk(e as El, `body.elements.${k}`, null, 0));
  if (count > MAX_ELEMENTS) problems.push(`${count} elements, over Feishu's ${MAX_ELEMENTS}`);
  return problems;
}
