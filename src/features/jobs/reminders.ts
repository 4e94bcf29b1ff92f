import { followUpForms, followUpSummary } from "../../../cards/followups";
import {
  confirmResultActions,
  decideRecusalActions,
  openTaskActions,
  remindersCard,
  type ReminderSection,
} from "../../../cards/jobs";
import { esc } from "../../../cards/kit";
import type { Bot, JobSend } from "../../bot/bot";
import type { WorkCalendar } from "../../domain/calendar";
import { dueState, dueText } from "../../domain/deadlines";
import type { Db } from "../../store/db";
import { followUpView } from "../followups/service";
import { adminOpenIds, importNotice } from "./calendarNotice";
import { openTargets, people } from "./due";

type Kind = "assignments" | "confirm" | "review" | "cases" | "recusals";
const TITLES: Record<Kind, string> = {
  assignments: "待录入检查结果",
  confirm: "待您确认的检查结果",
  review: "整改复查（今日到期或已逾期）",
  cases: "立案/移送待登记（已到期）",
  recusals: "待审批的回避申请",
};

/**
 * reminders (interface.md §9): each person gets one private card a day with everything of theirs,
 * each item carrying its buttons or form; administrators also get the yearly 节假日安排 notice.
 */
export function register(bot: Bot): void {
  bot.job({
    name: "reminders",
    async run({ db, today, calendar, deps }) {
      const who = await people(db);
      const boxes = new Map<string, Record<Kind, ReminderSection["items"]>>();
      const box = (certNo: string) => {
        const openId = who.openId(certNo);
        if (!openId) return null;
        if (!boxes.has(openId))
          boxes.set(openId, { assignments: [], confirm: [], review: [], cases: [], recusals: [] });
        return boxes.get(openId)!;
      };
      const names = new Map<string, string>();
      const targetName = async (code: string) => {
        if (!names.has(code))
          names.set(
            code,
            (await db.target.findUnique({ where: { creditCode: code }, select: { name: true } }))?.name ?? "",
          );
        return names.get(code)!;
      };

      // An inspector's assignments without a result, from 3 working days before the task's end.
      for (const o of await openTargets(db, today, calendar)) {
        if (o.result && o.result.status !== "disputed") continue;
        const name = await targetName(o.targetId);
        for (const certNo of o.team) {
          const b = box(certNo);
          const id = o.assignmentIds.get(certNo)!;
          b?.assignments.push({
            text: `${esc(name)}（${o.targetId}）｜任务 ${esc(o.taskCode)}｜结束日期 ${o.endDate}，${dueText(dueState(calendar, today, o.endDate))}${o.result ? "｜上次提交有异议，请重新提交" : ""}`,
            actions: openTaskActions(id),
          });
        }
      }

      // Results waiting for the partner's confirmation.
      for (const r of await db.result.findMany({ where: { current: true, status: "submitted" } })) {
        const team = await db.assignment.findMany({
          where: { drawId: r.drawId, targetId: r.targetId, status: { not: "recused" } },
        });
        const name = await targetName(r.targetId);
        for (const m of team.filter((x) => x.inspectorId !== r.submittedBy)) {
          box(m.inspectorId)?.confirm.push({
            text: `${esc(name)}（${r.targetId}）${esc(r.category)}｜${esc(who.name(r.submittedBy))} 提交于检查日期 ${r.inspectionDate}`,
            actions: confirmResultActions(r.id, m.inspectorId),
          });
        }
      }

      // 复查 due today or overdue (the 复查 card), and cases/transfers past their time limit.
      for (const f of await db.followUp.findMany({
        where: { status: "open", dueDate: { lte: today } },
        orderBy: { dueDate: "asc" },
      })) {
        const view = await followUpView(db, f, today, calendar);
        for (const certNo of f.owner.split(";").filter(Boolean)) {
          box(certNo)?.[f.kind === "整改复查" ? "review" : "cases"].push({
            text: followUpSummary(view),
            actions: followUpForms(view, "reminders"),
          });
        }
      }

      // A 领导's recusal requests waiting for approval.
      const pending = await db.recusalRequest.findMany({ where: { status: "pending" }, orderBy: { id: "asc" } });
      if (pending.length) {
        const draws = new Map(
          (
            await db.draw.findMany({
              where: { id: { in: pending.map((p) => p.drawId) } },
              select: { id: true, taskCode: true },
            })
          ).map((d) => [d.id, d.taskCode]),
        );
        const leaders = await db.inspector.findMany({
          where: { roles: { contains: "领导" }, status: "在岗", openId: { not: null } },
        });
        for (const p of pending) {
          const name = await targetName(p.targetId);
          for (const l of leaders) {
            box(l.certNo)?.recusals.push({
              text: `${esc(who.name(p.inspectorId))} 申请回避 ${esc(name)}（${p.targetId}）｜任务 ${esc(draws.get(p.drawId) ?? "")}｜理由：${esc(p.reason)}`,
              actions: decideRecusalActions(p.id),
            });
          }
        }
      }

      const sends: JobSend[] = [];
      for (const [openId, b] of boxes) {
        const sections = (Object.keys(TITLES) as Kind[]).map((k) => ({ title: TITLES[k], items: b[k] }));
        if (sections.every((s) => s.items.length === 0)) continue;
        const person = await db.inspector.findUnique({ where: { openId }, select: { name: true } });
        sends.push({
          to: { openId },
          label: `${person?.name ?? openId}（私聊）`,
          content: remindersCard(today, sections),
        });
      }

      // The yearly 节假日安排 notice: a year an open deadline relies on, this year, or next year from November.
      for (const year of await uncoveredYears(db, today, calendar)) {
        for (const openId of await adminOpenIds(db, deps.config.BOT_ADMIN_OPEN_IDS)) {
          sends.push({
            to: { openId },
            label: `管理员 ${openId}：导入 ${year} 年节假日安排`,
            content: importNotice(year),
            once: { job: "calendar-notice", day: String(year) },
          });
        }
      }
      return sends;
    },
  });
}

async function uncoveredYears(db: Db, today: string, calendar: WorkCalendar): Promise<number[]> {
  const years = new Set<number>();
  const year = Number(today.slice(0, 4));
  if (calendar.isUncovered(today)) years.add(year);
  if (today.slice(5) >= "11-01" && calendar.isUncovered(`${year + 1}-01-01`)) years.add(year + 1);
  for (const r of await db.result.findMany({
    where: { current: true, publishedAt: null, publicityDueUncovered: { not: null } },
    select: { publicityDueUncovered: true },
    distinct: ["publicityDueUncovered"],
  }))
    years.add(r.publicityDueUncovered!);
  for (const f of await db.followUp.findMany({
    where: { status: "open", dueUncovered: { not: null } },
    select: { dueUncovered: true },
    distinct: ["dueUncovered"],
  }))
    years.add(f.dueUncovered!);
  // A flag set before an import is cleared by the recompute; only years still unknown count.
  return [...years].filter((y) => calendar.isUncovered(`${y}-06-01`)).sort();
}
