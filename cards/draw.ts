import type { Commitment, DrawRecord } from "../src/domain/draw/types";
import { ACTION } from "./actions";
import {
  at,
  card,
  esc,
  form,
  hr,
  md,
  MAX_CARD_BYTES,
  cardBytes,
  plain,
  reasonForm,
  submitButton,
  type Card,
} from "./kit";

/** Everything a draw card shows about targets and people, looked up by the caller. */
export interface DrawNames {
  itemName: string;
  targets: Map<string, { name: string }>;
  inspectors: Map<string, { name: string }>;
}

const strataLine = (c: Commitment, sizes: Map<string, number>) =>
  Object.entries(c.params.perStratum)
    .map(([s, n]) => `${s}风险 ${sizes.get(s) ?? 0} 户抽 ${n} 户`)
    .join("；");

function poolSizes(c: Commitment): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of c.pool.targets) m.set(t.stratum, (m.get(t.stratum) ?? 0) + 1);
  return m;
}

function proof(c: Commitment): string {
  return [
    `**号池哈希 poolHash**：\`${c.poolHash}\``,
    `**参数哈希 paramsHash**：\`${c.paramsHash}\``,
    `**承诺值 commitment**：\`${c.commitment}\``,
    `**算法**：${c.params.algorithm}`,
  ].join("\n");
}

/** Posted to the group when a leader orders a draw: the frozen pool, the commitment, and the witness form. */
export function commitmentCard(c: Commitment, itemName: string, orderedBy: string, excludedDrawn = 0): Card {
  return card(`抽取承诺 · ${c.task.code}`, "orange", [
    md(
      [
        `**任务**：${esc(c.task.code)} ${esc(c.task.name)}`,
        `**抽查事项**：${esc(c.task.itemCode)} ${esc(itemName)}`,
        `**号池**：${c.pool.targets.length} 户（${strataLine(c, poolSizes(c))}），执法人员 ${c.pool.inspectors.length} 名，每户 ${c.params.inspectorsPerTarget} 人`,
        ...(excludedDrawn > 0
          ? [`**已排除**：${excludedDrawn} 户本年度已因该事项被抽中（一般事项同一年度不重复抽查）`]
          : []),
        `**发起人**：${at(orderedBy)}`,
      ].join("\n"),
    ),
    hr(),
    md(proof(c)),
    md(
      "号池与参数已冻结。请一位**非发起人**的工作人员作为见证人，输入任意随机内容（如现场掷骰结果）后确认。种子 = sha256(服务器种子|见证随机数|poolHash|paramsHash)，服务器种子将在揭示时公布，任何人可复算。",
    ),
    form("witness_form", [
      {
        tag: "input",
        name: "entropy",
        required: true,
        max_length: 100,
        placeholder: plain("见证人输入随机数，如掷骰结果 3-6-1-4-2"),
      },
      submitButton("confirm_draw", "见证并确认抽取", { action: ACTION.draw.confirm, drawId: c.drawId }),
    ]),
    // 取消 needs a reason (told to the group and audited): a form, so the reason comes with the click.
    reasonForm({
      name: "cancel_form",
      placeholder: "取消原因（发起人、领导或管理员可取消）",
      button: "cancel_draw",
      text: "取消本次抽取",
      value: { action: ACTION.draw.cancel, drawId: c.drawId },
      maxLength: 200,
      confirm: { title: "取消抽取", text: "取消后本次承诺作废（记录保留），可重新发起。确定取消？" },
    }),
  ]);
}

/** The commitment card after the witness confirmed: in place, no buttons left. */
export function revealedCard(r: DrawRecord, itemName: string): Card {
  return card(`抽取已揭示 · ${r.task.code}`, "green", [
    md(
      `**任务**：${esc(r.task.code)} ${esc(r.task.name)}\n**抽查事项**：${esc(r.task.itemCode)} ${esc(itemName)}\n**见证人**：${at(r.witness.openId)}　**见证随机数**：${esc(r.witness.entropy)}`,
    ),
    hr(),
    md(`${proof(r)}\n**服务器种子 serverSeed**：\`${r.serverSeed}\`\n**种子 seed**：\`${r.seed}\``),
    md(`共抽中 ${r.selection.targets.length} 户，名单见下方公告。`),
  ]);
}

export function cancelledCard(c: Commitment, by: string, reason?: string, serverSeed?: string): Card {
  const who = by.startsWith("ou_") ? at(by) : esc(by);
  const why = reason ? `\n**取消原因**：${esc(reason)}` : "";
  const seed = serverSeed ? `\n**服务器种子 serverSeed**：\`${serverSeed}\`（随取消公布，可核对承诺值）` : "";
  return card(`抽取已取消 · ${c.task.code}`, "grey", [
    md(`本次抽取（${esc(c.drawId)}）已由 ${who} 取消，记录保留备查，该任务可重新抽取。${why}\n${proof(c)}${seed}`),
  ]);
}

/**
 * The public result: targets per stratum with credit code, risk and inspectors; the seed; how to
 * verify. A large draw is summarized to stay inside Feishu's 30 KB card limit (full list: export).
 */
export function announcementCard(r: DrawRecord, names: DrawNames, teams: Map<string, string[]>): Card {
  const line = (t: DrawRecord["selection"]["targets"][number], k: number) => {
    const people = (teams.get(t.id) ?? []).map((id) => esc(names.inspectors.get(id)?.name ?? id)).join("、");
    return `${k + 1}. ${esc(names.targets.get(t.id)?.name ?? "")}（${t.id}，${t.stratum}风险）— ${people}`;
  };
  const verify = md(
    `**种子**：\`${r.seed}\`\n核验：\`npx drbot export draw ${esc(r.drawId)} --out 记录.json\` 后 \`npx drbot verify 记录.json\`；或用 Python consistent_sampler 独立复算抽中顺序。`,
  );
  const head = md(
    `**任务**：${esc(r.task.code)} ${esc(r.task.name)}\n**抽查事项**：${esc(names.itemName)}\n共抽中 ${r.selection.targets.length} 户，每户 ${r.params.inspectorsPerTarget} 名执法人员。`,
  );
  for (let shown = r.selection.targets.length; shown >= 0; shown = shown > 40 ? 40 : shown - 10) {
    const lines = r.selection.targets.slice(0, shown).map(line);
    const more = r.selection.targets.length - shown;
    const body =
      lines.join("\n") +
      (more > 0
        ? `\n……另有 ${more} 户，完整名单请用 \`drbot export draw ${esc(r.drawId)} --out 名单.xlsx\` 导出。`
        : "");
    const c = card(`双随机抽查结果公告 · ${r.task.code}`, "blue", [head, hr(), md(body), hr(), verify]);
    if (cardBytes(c) <= MAX_CARD_BYTES - 1024 || shown === 0) return c;
  }
  throw new Error("unreachable");
}
