/**
 * Every card action the bot answers, in one place: card builders put these names in a button's
 * `behaviors[].value.action`, features register their handlers under the same names
 * (`bot.cardAction({ action: ACTION.task.accept, … })`), so a button and its handler can't drift.
 * The strings are on the wire (cards already sent carry them for 14 days): never rename one.
 */
export const ACTION = {
  task: {
    accept: "task.accept",
    recuse: "task.recuse",
    /** 「打开任务卡」 on a shared list: a fresh private card. */
    open: "task.open",
    phone: "task.phone",
  },
  recusal: { approve: "recusal.approve", reject: "recusal.reject" },
  result: {
    submit: "result.submit",
    confirm: "result.confirm",
    dispute: "result.dispute",
    /** 「更正结果」 on a shared list: the correction form, privately. */
    correctOpen: "result.correct.open",
    correct: "result.correct",
  },
  draw: { confirm: "draw.confirm", cancel: "draw.cancel" },
  withdrawal: { confirm: "withdrawal.confirm" },
  publicity: { page: "publicity.page", mark: "publicity.mark", markAll: "publicity.markAll" },
  followup: {
    rectified: "followup.rectified",
    notRectified: "followup.not_rectified",
    caseClosed: "followup.case_closed",
    transferred: "followup.transferred",
  },
} as const;

type Leaves<T> = T extends string ? T : { [K in keyof T]: Leaves<T[K]> }[keyof T];

/** The name of a registered card action, e.g. "task.accept". */
export type ActionName = Leaves<typeof ACTION>;

/** What a button sends back: the action and its parameters (ids, page…). */
export type ActionValue = { action: ActionName } & Record<string, unknown>;

const leaves = (o: object): string[] =>
  Object.values(o).flatMap((v) => (typeof v === "string" ? [v] : leaves(v as object)));

/** Every action name, for tests and the linter. */
export const ACTION_NAMES: readonly ActionName[] = leaves(ACTION) as ActionName[];

export const isActionName = (s: unknown): s is ActionName =>
  typeof s === "string" && (ACTION_NAMES as readonly string[]).includes(s);
