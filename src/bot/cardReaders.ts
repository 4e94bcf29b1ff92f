import { AppError } from "../domain/errors";
import type { CardAction } from "../lark/wire";

/** What a card handler reads from a click, so handlers don't each re-parse the payload. */
export interface CardReaders {
  /** A positive integer id from the button's value (e.g. "assignmentId"); a coded error when missing or bad. */
  id(key: string): number;
  /** A string parameter from the button's value (e.g. "drawId", "certNo"); "" when absent. */
  param(key: string): string;
  /**
   * A form field's trimmed text, "" when empty. A field may carry its form's name as a suffix
   * (`reason_reject_12`: names must be card-unique when one card holds several such forms).
   */
  text(name: string): string;
  /** Like `text`, but an empty field is refused with 「<label>：必填」. */
  requiredText(name: string, label: string): string;
}

export function cardReaders(action: CardAction): CardReaders {
  const field = (name: string): unknown => {
    const form = action.formValue;
    if (name in form) return form[name];
    const scoped = Object.keys(form).find((k) => k.startsWith(`${name}_`));
    return scoped === undefined ? undefined : form[scoped];
  };
  const text = (name: string) => {
    const v = field(name);
    return typeof v === "string" ? v.trim() : "";
  };
  return {
    id(key) {
      const raw = action.value[key];
      const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n <= 0)
        throw new AppError("BAD_PARAMS", "这张卡片的按钮已失效（缺少编号）", { key });
      return n;
    },
    param(key) {
      const v = action.value[key];
      return typeof v === "string" || typeof v === "number" ? String(v) : "";
    },
    text,
    requiredText(name, label) {
      const v = text(name);
      if (v === "") throw new AppError("USAGE", `${label}：必填`, { field: name });
      return v;
    },
  };
}
