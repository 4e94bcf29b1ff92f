import type { DueRow } from "../src/domain/publicity";
import { ACTION, type ActionValue } from "./actions";
import { button, card, esc, form, hr, md, plain, submitButton, type Card, type Confirm, type Element } from "./kit";

/** Results per page: 5 elements each keeps a page far below Feishu's 200 elements and 30 KB. */
export const PUBLICITY_PAGE_SIZE = 8;

export interface PublicityListView {
  rows: DueRow[];
  page: number; // 0-based
  today: string;
  /** The instant the listing was read: 「全部标记」 marks exactly what was listed then, every page. */
  asOf: string;
  bureauName?: string;
}

const whenText = (r: DueRow) =>
  r.daysLeft === null
    ? "未设公示期限"
    : r.daysLeft < 0
      ? `**已逾期 ${-r.daysLeft} 个工作日**（期限 ${r.due}）`
      : r.daysLeft === 0
        ? `**今天到期**（${r.due}）`
        : `剩余 ${r.daysLeft} 个工作日（${r.due}）`;

/**
 * A date picker and its submit button in one form (the picker's value comes with the click). Names
 * must be card-unique, so each picker is "publish_date_<form>"; the server reads any publish_date*.
 */
function markForm(
  name: string,
  today: string,
  min: string,
  label: string,
  value: ActionValue,
  confirm?: Confirm,
): Element {
  return form(name, [
    {
      tag: "date_picker",
      name: `publish_date_${name}`,
      initial_date: today,
      placeholder: plain(`公示日期（${min} 至 ${today}）`),
    },
    submitButton(`${name}_submit`, label, value, "primary_filled", confirm),
  ]);
}

/** `公示`: the due results with names and working days left, 「标记已公示」 on each, 「全部标记」 for the whole listing. */
export function publicityCard(v: PublicityListView): Card {
  if (v.rows.length === 0) return card("待公示检查结果", "green", [md("目前没有待公示的检查结果，全部已标记公示。")]);
  const pages = Math.ceil(v.rows.length / PUBLICITY_PAGE_SIZE);
  const page = Math.min(Math.max(0, v.page), pages - 1);
  const overdue = v.rows.filter((r) => r.daysLeft !== null && r.daysLeft < 0).length;
  const elements: Element[] = [
    md(
      `共 **${v.rows.length}** 条待公示${overdue ? `，其中 **${overdue}** 条已逾期` : ""}。在国家企业信用信息公示系统公示后，选择公示日期并点「标记已公示」。${v.bureauName ? `\n检查实施机关：${esc(v.bureauName)}` : ""}`,
    ),
  ];
  for (const r of v.rows.slice(page * PUBLICITY_PAGE_SIZE, (page + 1) * PUBLICITY_PAGE_SIZE)) {
    elements.push(
      hr(),
      md(
        `**${esc(r.targetName || r.creditCode)}**（${r.creditCode}）\n任务 ${esc(r.taskCode)} ${esc(r.taskName)}｜${esc(r.category)}${r.corrected ? "（已更正）" : ""}\n确认于 ${r.confirmedOn}｜${whenText(r)}`,
      ),
      markForm(`pub_${r.resultId}`, v.today, r.confirmedOn, "标记已公示", {
        action: ACTION.publicity.mark,
        resultId: r.resultId,
        page,
      }),
      button(`correct_${r.resultId}`, "更正结果", { action: ACTION.result.correctOpen, resultId: r.resultId }),
    );
  }
  elements.push(hr());
  if (pages > 1) {
    elements.push(md(`第 ${page + 1} / ${pages} 页`));
    if (page > 0) elements.push(button("pub_prev", "上一页", { action: ACTION.publicity.page, page: page - 1 }));
    if (page < pages - 1)
      elements.push(button("pub_next", "下一页", { action: ACTION.publicity.page, page: page + 1 }));
  }
  const latest = v.rows.reduce((m, r) => (r.confirmedOn > m ? r.confirmedOn : m), v.rows[0]!.confirmedOn);
  elements.push(
    markForm(
      "pub_all",
      v.today,
      latest,
      `全部标记（${v.rows.length} 条）`,
      { action: ACTION.publicity.markAll, asOf: v.asOf, page },
      {
        title: "全部标记已公示",
        text: `将本卡片列出的全部 ${v.rows.length} 条结果（含其他页）标记为已于所选日期公示。确认日期晚于所选日期的结果不会标记。`,
      },
    ),
  );
  return card("待公示检查结果", overdue ? "red" : "blue", elements, `${v.today} · 每页 ${PUBLICITY_PAGE_SIZE} 条`);
}
