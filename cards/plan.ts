import { PLAN_FIELDS, noChanges, type PlanChanges, type PlanTask, type TaskCoverage } from "../src/domain/plan";
import { formatBp } from "../src/domain/results";
import { card, cardBytes, esc, hr, md, MAX_CARD_BYTES, type Card, type Element } from "./kit";

export interface PlanCardTask extends PlanTask {
  itemName: string;
  itemBp: number;
  coverage: TaskCoverage;
}

export interface PlanCardView {
  year: number;
  version: number;
  hash: string;
  tasks: PlanCardTask[];
  changes: PlanChanges;
  bureauName?: string;
}

const bp = (v: number | null, fallback: number) => formatBp(v ?? fallback);
const shown = (field: string, v: unknown) =>
  v === null || v === "" ? "（未填）" : field.startsWith("ratio") ? formatBp(Number(v)) : String(v);

export function floorWarning(t: Pick<PlanCardTask, "code" | "itemName" | "coverage">): string {
  return `任务 ${t.code}：按抽查比例预计抽取 ${t.coverage.expected} 户，仅占事项「${t.itemName}」号池 ${t.coverage.poolSize} 户的 ${formatBp(t.coverage.coverageBp)}，低于 3% 的底线（已接受，请核实比例）`;
}

function taskLine(t: PlanCardTask): string {
  const ratios = `低 ${bp(t.ratioLowBp, t.itemBp)}｜中 ${bp(t.ratioMidBp, t.itemBp)}｜高 ${bp(t.ratioHighBp, t.itemBp)}`;
  const joint = t.jointUnits ? `｜联合单位 ${esc(t.jointUnits.split(";").join("、"))}` : "";
  const warn = t.coverage.belowFloor ? `\n⚠️ 预计覆盖率 ${formatBp(t.coverage.coverageBp)}，低于 3%` : "";
  return `**${esc(t.code)}** ${esc(t.name)}\n事项 ${esc(t.itemCode)} ${esc(t.itemName)}｜${t.startDate} 至 ${t.endDate}｜比例 ${ratios}｜每户 ${t.inspectorsPerTarget} 人${joint}\n号池 ${t.coverage.poolSize} 户，预计抽取 ${t.coverage.expected} 户（${formatBp(t.coverage.coverageBp)}）${warn}`;
}

function changesText(c: PlanChanges): string[] {
  const lines: string[] = [];
  if (c.added.length) lines.push(`**新增任务**：${c.added.map(esc).join("、")}`);
  if (c.removed.length) lines.push(`**移出本年度计划**：${c.removed.map(esc).join("、")}`);
  for (const ch of c.changed) {
    lines.push(
      `**修改 ${esc(ch.code)}**：${ch.fields.map((f) => `${PLAN_FIELDS[f.field as keyof typeof PLAN_FIELDS] ?? f.label} ${esc(shown(f.field, f.before))} → ${esc(shown(f.field, f.after))}`).join("；")}`,
    );
  }
  return lines;
}

/**
 * Posted to the announce group: the first version lists the whole plan; a later version says what
 * changed first, then the plan as it now stands. Long plans are summarized under Feishu's 30 KB.
 */
export function planCard(v: PlanCardView): Card {
  const first = v.version === 1;
  const below = v.tasks.filter((t) => t.coverage.belowFloor);
  const head: Element[] = [
    md(
      `${v.bureauName ? `${esc(v.bureauName)} · ` : ""}${v.year} 年度双随机抽查计划，共 ${v.tasks.length} 项任务（第 ${v.version} 版）。计划公开，任何变更都会在本群公布。`,
    ),
  ];
  if (!first && !noChanges(v.changes)) head.push(md(`**本次变更**\n${capped(changesText(v.changes))}`));
  if (below.length) head.push(md(`⚠️ **低于 3% 底线的任务**\n${capped(below.map(floorWarning).map(esc))}`));
  const tail = md(`版本指纹（SHA-256）：\`${v.hash}\``);
  const title = first ? `${v.year} 年度抽查计划公布` : `${v.year} 年度抽查计划变更（第 ${v.version} 版）`;
  const full = card(title, below.length ? "orange" : "blue", [
    ...head,
    hr(),
    ...v.tasks.map((t) => md(taskLine(t))),
    hr(),
    tail,
  ]);
  if (cardBytes(full) <= MAX_CARD_BYTES && full.body.elements.length <= 190) return full;
  const help = md("完整计划：drbot export 或「计划」命令。");
  const room = MAX_CARD_BYTES - 1024 - cardBytes(card(title, "orange", [...head, hr(), md(""), help, tail]));
  const brief = v.tasks.map(
    (t) => `${esc(t.code)} ${esc(t.name)}（${t.startDate}–${t.endDate}，预计 ${t.coverage.expected} 户）`,
  );
  return card(title, below.length ? "orange" : "blue", [...head, hr(), md(fitLines(brief, room)), help, tail]);
}

/** As many lines as fit in `bytes` of card JSON, then how many were left out. */
function fitLines(lines: string[], bytes: number): string {
  const shown: string[] = [];
  let used = 64; // the 「另有」 line
  for (const line of lines) {
    used += Buffer.byteLength(JSON.stringify(line)) + 1;
    if (used > bytes) break;
    shown.push(line);
  }
  const more = lines.length - shown.length;
  return [...shown, ...(more > 0 ? [`……另有 ${more} 项`] : [])].join("\n");
}

/** At most `n` lines, then how many more. */
const capped = (lines: string[], n = 40) =>
  [...lines.slice(0, n), ...(lines.length > n ? [`……另有 ${lines.length - n} 项`] : [])].join("\n");
