import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { amend } from "../../src/domain/draw/amend";
import type { DrawRecord, Pool } from "../../src/domain/draw/types";
import { verify } from "../../src/domain/draw/verify";
import { projectRoot } from "../../src/paths";
import { tempDir } from "../helpers/db";
import { inspectors, params, record, targets } from "../helpers/pools";

/**
 * One tampering per class, each checked by `drbot verify`'s engine and by the independent Python
 * verifier (scripts/independent_sampler.py, stdlib only): both must reject it, naming the field.
 */

const T = targets("T", 12, "中");
const pool: Pool = {
  targets: [...targets("L", 8, "低"), ...T],
  inspectors: inspectors(6, ["交通", "公安"]),
  conflicts: [["I005", "T002"]],
  // Every pair but I006's was in last year's draw: some teams can't avoid one (a relaxation).
  previousAssignments: [...targets("L", 8, "低"), ...T]
    .flatMap((t) => ["I001", "I002", "I003", "I004", "I005"].map((i) => [t.id, i] as [string, string]))
    .sort(),
};

function amended(): DrawRecord {
  let r = record(pool, params({ 低: 2, 中: 4 }));
  const a0 = r.selection.assignments[0]!;
  r = amend(r, { inspectorId: a0.inspectorIds[0]!, targetId: a0.targetId, at: "2026-11-26T01:00:00.000Z" });
  const a1 = r.selection.assignments[1]!;
  r = amend(r, {
    inspectorId: a1.inspectorIds[1]!,
    targetId: a1.targetId,
    at: "2026-11-27T01:00:00.000Z",
    kind: "withdrawal",
  });
  return JSON.parse(JSON.stringify(r)) as DrawRecord;
}
const BASE = amended();

// Tampering writes what the types forbid.
type Loose = any;
type Tamper = [name: string, field: string, change: (r: Loose) => void];
const other = (ids: string[]) => BASE.pool.inspectors.map((i) => i.id).find((id) => !ids.includes(id))!;

const TAMPERINGS: Tamper[] = [
  ["unknown key at the root", "extra", (r) => (r["extra"] = 1)],
  ["unknown key in task", "task.extra", (r) => (r.task["extra"] = "x")],
  ["unknown key in pool", "pool.extra", (r) => (r.pool["extra"] = [])],
  ["unknown key in a pool target", "pool.targets[0].extra", (r) => (r.pool.targets[0]["extra"] = true)],
  ["unknown key in a pool inspector", "pool.inspectors[1].extra", (r) => (r.pool.inspectors[1]["extra"] = 1)],
  ["unknown key in params", "params.extra", (r) => (r.params["extra"] = 0.5)],
  ["unknown key in witness", "witness.extra", (r) => (r.witness["extra"] = "")],
  ["unknown key in selection", "selection.extra", (r) => (r.selection["extra"] = {})],
  ["unknown key in a selected target", "selection.targets[2].extra", (r) => (r.selection.targets[2]["extra"] = 1)],
  ["unknown key in an assignment", "selection.assignments[0].extra", (r) => (r.selection.assignments[0]["extra"] = 1)],
  ["unknown key in a relaxation", "selection.relaxations[0].extra", (r) => (r.selection.relaxations[0]["extra"] = 1)],
  ["unknown key in an amendment", "amendments[1].extra", (r) => (r.amendments[1]["extra"] = 1)],
  ["unknown stratum in perStratum", "params.perStratum", (r) => (r.params.perStratum["极高"] = 1)],
  ["missing committedAt", "committedAt", (r) => delete r["committedAt"]],
  ["missing relaxations", "selection.relaxations", (r) => delete r.selection["relaxations"]],
  ["missing amendment time", "amendments[0].at", (r) => delete r.amendments[0]["at"]],
  ["year as a string", "task.year", (r) => (r.task["year"] = "2026")],
  ["a count as a fraction", "params.inspectorsPerTarget", (r) => (r.params["inspectorsPerTarget"] = 2.5)],
  [
    "specialties not a list",
    "pool.inspectors[0].specialties",
    (r) => (r.pool.inspectors[0]["specialties"] = "道路运输"),
  ],
  ["unknown amendment kind", "amendments[0].kind", (r) => (r.amendments[0]["kind"] = "sick")],
  [
    "a ticket",
    "selection.targets[1].ticket",
    (r) =>
      (r.selection.targets[1]!.ticket = r.selection.targets[1]!.ticket.replace(/\d$/, (d: string) =>
        String((Number(d) + 1) % 10),
      )),
  ],
  [
    "selection order",
    "selection.targets[2]",
    (r) => ([r.selection.targets[2], r.selection.targets[3]] = [r.selection.targets[3]!, r.selection.targets[2]!]),
  ],
  ["seed", "seed", (r) => (r.seed = "0".repeat(64))],
  ["witness entropy", "witness.entropy", (r) => (r.witness.entropy += "1")],
  ["serverSeed", "serverSeed", (r) => (r.serverSeed = "f".repeat(64))],
  [
    "a pool target's stratum",
    "poolHash",
    (r) => (r.pool.targets.find((t: { id: string }) => t.id === "T005")!.stratum = "高"),
  ],
  ["a selected target's stratum", "selection.targets[2].stratum", (r) => (r.selection.targets[2]!.stratum = "高")],
  ["perStratum", "paramsHash", (r) => (r.params.perStratum["中"] = 3)],
  ["a conflict removed", "poolHash", (r) => r.pool.conflicts.pop()],
  [
    "an inspector replaced",
    "selection.assignments[3].inspectorIds",
    (r) => (r.selection.assignments[3]!.inspectorIds[0] = other(r.selection.assignments[3]!.inspectorIds)),
  ],
  ["alternates reordered", "selection.alternates", (r) => r.selection.alternates["中"]!.reverse()],
  ["a relaxation removed", "selection.relaxations", (r) => r.selection.relaxations.pop()],
  [
    "a recusal whose replacement doesn't replay",
    "amendments[0].replacementId",
    (r) =>
      (r.amendments[0]!.replacementId = other([
        r.amendments[0]!.replacementId,
        ...r.selection.assignments[0]!.inspectorIds,
      ])),
  ],
  [
    "a withdrawal whose replacement doesn't replay",
    "amendments[1].replacementId",
    (r) =>
      (r.amendments[1]!.replacementId = other([
        r.amendments[1]!.replacementId,
        ...r.selection.assignments[1]!.inspectorIds,
      ])),
  ],
  [
    "an amendment for someone not on the team",
    "amendments[0]",
    (r) => (r.amendments[0]!.inspectorId = other(r.selection.assignments[0]!.inspectorIds)),
  ],
];

const tampered = (change: Tamper[2]) => {
  const r = JSON.parse(JSON.stringify(BASE)) as Loose;
  change(r);
  return r;
};

/** The Python verifier over every record at once (one interpreter start), by record name. */
function pythonVerdicts(records: [string, unknown][]): Map<string, { code: number; out: string }> {
  const dir = tempDir();
  const files = records.map(([name, r], k) => {
    const file = path.join(dir, `r${k}.json`);
    writeFileSync(file, JSON.stringify(r, null, 2));
    return [file, name] as const;
  });
  const p = spawnSync(
    "python3",
    [path.join(projectRoot, "scripts", "independent_sampler.py"), "--each", ...files.map(([f]) => f)],
    { encoding: "utf8" },
  );
  if (p.status !== 0) throw new Error(`python3 failed: ${p.stderr}`);
  const byFile = new Map(files);
  return new Map(
    p.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { file: string; code: number; out: string })
      .map((x) => [byFile.get(x.file)!, { code: x.code, out: x.out }]),
  );
}
let PY: Map<string, { code: number; out: string }>;
beforeAll(() => {
  PY = pythonVerdicts([
    ["base", BASE],
    ...TAMPERINGS.map(([name, , change]) => [name, tampered(change)] as [string, unknown]),
  ]);
});
const python = (_r: unknown, name: string) => PY.get(name)!;
const tsVerdict = (r: unknown) => {
  const v = verify(r);
  return {
    ok: v.ok,
    text: v.checks
      .filter((c) => !c.ok)
      .map((c) => `${c.label}：${c.detail ?? ""}`)
      .join("\n"),
  };
};

describe("drbot verify is strict, and agrees with the independent Python verifier", () => {
  it("both accept the untouched record (with a relaxation, a recusal and a withdrawal)", () => {
    expect(BASE.selection.relaxations.length).toBeGreaterThan(0);
    expect(BASE.amendments.map((a) => a.kind)).toEqual(["recusal", "withdrawal"]);
    expect(tsVerdict(BASE)).toEqual({ ok: true, text: "" });
    const py = python(BASE, "base");
    expect(py.out).toContain("verified");
    expect(py.code).toBe(0);
  });

  it.each(TAMPERINGS)("rejects %s, naming %s", (name, field, change) => {
    const r = tampered(change);
    const ts = tsVerdict(r);
    expect(ts.ok).toBe(false);
    expect(ts.text).toContain(field);
    const py = python(r, name);
    expect(py.code, py.out).toBe(1);
    expect(py.out).toContain(field);
  });
});
