import { ACTION } from "../../../cards/actions";
import { followUpCard } from "../../../cards/followups";
import type { Bot, CardAnswer, CardContext } from "../../bot/bot";
import type { CardReaders } from "../../bot/cardReaders";
import { hasAnyRole } from "../../bot/roles";
import { AppError } from "../../domain/errors";
import type { FollowUpEvent } from "../../domain/followups";
import { loadCalendar } from "../../store/calendar";
import { applyFollowUpEvent, followUpView, ownersOf } from "./service";

type FollowUpAction = (typeof ACTION.followup)[keyof typeof ACTION.followup];

/** The event a card's form describes (fields named `review_date` or, on a shared card, `review_date_<id>`). */
const EVENTS: Record<FollowUpAction, (form: CardReaders) => FollowUpEvent> = {
  [ACTION.followup.rectified]: (f) => ({ type: "rectified", reviewDate: f.text("review_date").slice(0, 10) }),
  [ACTION.followup.notRectified]: (f) => ({ type: "not_rectified", next: f.text("next_disposal") }),
  [ACTION.followup.caseClosed]: (f) => ({
    type: "case_closed",
    caseNo: f.text("case_no"),
    closedDate: f.text("closed_date").slice(0, 10),
  }),
  [ACTION.followup.transferred]: (f) => ({
    type: "transferred",
    receiver: f.text("receiver"),
    transferDate: f.text("transfer_date").slice(0, 10),
  }),
};

const TOASTS: Record<string, string> = {
  已整改: "已登记整改完成，本项后续处置已办结",
  未整改: "已登记未整改，已开启下一步后续处置",
  已结案: "已登记结案",
  已移送: "已登记移送",
};

/**
 * 复查 / 立案 / 移送 record cards. The owners (the assignment's inspectors) record outcomes; the 法制员
 * and 领导 who supervise may too. Clicked from the daily reminder card, the answer is a toast only, so
 * the reminder keeps its other items.
 */
export function register(bot: Bot): void {
  for (const [action, toEvent] of Object.entries(EVENTS) as [FollowUpAction, (typeof EVENTS)[FollowUpAction]][]) {
    bot.cardAction({
      action,
      roles: [],
      async run(ctx: CardContext): Promise<CardAnswer> {
        const { tx, now, today, operator, action: click } = ctx;
        const f = await tx.followUp.findUnique({ where: { id: ctx.id("followUpId") } });
        if (!f) throw new AppError("NOT_FOUND", "找不到这项后续处置");
        const mayAct =
          (operator.certNo !== null && ownersOf(f).includes(operator.certNo)) ||
          hasAnyRole(operator, ["法制员", "领导"]);
        if (!mayAct)
          return { toast: { type: "error", content: "只有负责的执法人员、法制员或领导可以登记（卡片可能是转发的）" } };
        const { followUp } = await applyFollowUpEvent(tx, f.id, toEvent(ctx), {
          today,
          now,
          actor: operator.openId,
        });
        const toast = { type: "success" as const, content: TOASTS[followUp.outcome ?? ""] ?? "已登记" };
        if (click.value["from"] === "reminders") return { toast };
        return { toast, card: followUpCard(await followUpView(tx, followUp, today, await loadCalendar(tx))) };
      },
    });
  }
}
