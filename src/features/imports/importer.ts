import { createHash } from "node:crypto";
import { canonicalJson } from "../../domain/canonical";
import { AppError } from "../../domain/errors";
import { writeTx } from "../../store/tx";
import { recomputeDeadlines } from "../deadlines/recompute";
import { loadCalendar } from "../../store/calendar";
import { appendAudit } from "../../store/audit";
import type { Db, Prisma } from "../../store/db";
import { recordPlanVersions } from "../plan/versions";
import { detectKind, KIND_SPECS, type ImportKind } from "./kinds";
import { DEFAULT_IMPORT_LIMITS, openTable, type ImportLimits } from "./table";
import { RowErrors, TableValidator } from "./validate";

import type { ContactDirectory } from "../../lark/contact";
export type { ContactDirectory } from "../../lark/contact";

export interface ImportOptions {
  kind?: ImportKind; // detected from the header row when absent (files sent in chat)
  actor: string;
  at: Date;
  directory: ContactDirectory | null;
  /** IMPORT_MAX_BYTES / IMPORT_MAX_ROWS (defaults as in interface.md §2). */
  limits?: ImportLimits;
  /** Where a plan import posts the plan card (LARK_ANNOUNCE_CHAT_ID); else the bound 公告 group. */
  announceChatId?: string;
  bureauName?: string;
}

export interface ImportReport {
  kind: ImportKind;
  title: string;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  warnings: string[];
  /** Plan imports: the plan versions this import created (a year whose plan changed), and whether a card was queued. */
  planVersions?: { year: number; version: number; announced: boolean }[];
}

type Tx = Prisma.TransactionClient;
type Reader = Db | Tx;
type Values = Record<string, unknown>;
const s = (v: Values, k: string) => v[k] as string;
const joined = (v: Values, k: string) => (v[k] as string[]).join(";");

/** What each list writes; `prepare` runs the database checks, `apply` the writes (inside the transaction). */
interface Applier<R> {
  toRecord(v: Values): R;
  key(r: R): string;
  prepare?(
    db: Reader,
    rows: { rowNumber: number; record: R }[],
    errors: RowErrors,
    directory: ContactDirectory | null,
    warnings: string[],
  ): Promise<void>;
  /** Re-checked inside the write transaction: what may have changed since `prepare` read it. */
  recheck?(tx: Tx, rows: { rowNumber: number; record: R }[], errors: RowErrors): Promise<void>;
  existing(db: Reader, keys: string[]): Promise<Map<string, R & Record<string, unknown>>>;
  create(tx: Tx, records: R[]): Promise<void>;
  update(tx: Tx, before: R & Record<string, unknown>, after: R, at: Date): Promise<void>;
}

const CHUNK = 500;
async function inChunks<T>(keys: string[], fetch: (chunk: string[]) => Promise<T[]>, size = CHUNK): Promise<T[]> {
  const out: T[] = [];
  for (let k = 0; k < keys.length; k += size) for (const x of await fetch(keys.slice(k, k + size))) out.push(x);
  return out;
}

/** True when every field of `after` equals the same field of `before`. */
function unchanged(before: Record<string, unknown>, after: object): boolean {
  return Object.entries(after).every(([k, v]) => canonicalJson(before[k] ?? null) === canonicalJson(v ?? null));
}

const items: Applier<Prisma.ItemCreateManyInput> = {
  toRecord: (v) => ({
    code: s(v, "事项编码"),
    name: s(v, "抽查事项"),
    category: s(v, "抽查类别"),
    targetType: s(v, "检查对象类型"),
    ratioBp: v["抽查比例(%)"] as number,
    method: s(v, "检查方式"),
    basis: s(v, "检查依据"),
    content: s(v, "检查内容"),
    requiredSpecialty: s(v, "所需专业") || null,
  }),
  key: (r) => r.code,
  existing: async (tx, keys) =>
    new Map((await inChunks(keys, (c) => tx.item.findMany({ where: { code: { in: c } } }))).map((x) => [x.code, x])),
  create: async (tx, rs) => void (await tx.item.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.item.update({ where: { code: r.code }, data: r })),
};

const targets: Applier<Prisma.TargetCreateManyInput> = {
  toRecord: (v) => ({
    creditCode: s(v, "统一社会信用代码"),
    name: s(v, "名称"),
    type: s(v, "对象类型"),
    status: s(v, "经营状态"),
    risk: s(v, "风险等级"),
    address: s(v, "地址"),
    legalRep: s(v, "法定代表人"),
    phone: s(v, "联系电话"),
    region: s(v, "所属区域"),
  }),
  key: (r) => r.creditCode,
  // Raw SQL for the one list that runs to 100,000s of rows: the ORM's per-row work dominated the import.
  existing: async (db, keys) => {
    const found = await inChunks(
      keys,
      (c) =>
        db.$queryRawUnsafe<Record<string, unknown>[]>(
          `SELECT * FROM "Target" WHERE "creditCode" IN (${c.map(() => "?").join(",")})`,
          ...c,
        ),
      1000,
    );
    return new Map(
      found.map((x) => [
        x["creditCode"] as string,
        { ...x, version: Number(x["version"]) } as Prisma.TargetCreateManyInput & Record<string, unknown>,
      ]),
    );
  },
  create: async (tx, rs) => {
    const now = new Date();
    const columns = ["creditCode", "name", "type", "status", "risk", "address", "legalRep", "phone", "region"] as const;
    // Modest statements: Prisma's debug module keeps the arguments of its last 100 calls alive, so
    // huge statements would pin the whole list in memory until the process ends.
    const per = 250;
    for (let k = 0; k < rs.length; k += per) {
      const chunk = rs.slice(k, k + per);
      const params = chunk.flatMap((r) => [...columns.map((c) => r[c] ?? ""), now, now]);
      const rows = chunk
        .map(
          () =>
            `(${Array(columns.length + 2)
              .fill("?")
              .join(",")})`,
        )
        .join(",");
      await tx.$executeRawUnsafe(
        `INSERT INTO "Target" (${columns.map((c) => `"${c}"`).join(",")}, "createdAt", "updatedAt") VALUES ${rows}`,
        ...params,
      );
    }
  },
  // A changed target keeps its old content as a revision, so results and exports of earlier draws stay true.
  update: async (tx, before, r, at) => {
    const version = before["version"] as number;
    const snapshot = Object.fromEntries(Object.keys(r).map((k) => [k, before[k] ?? null]));
    await tx.targetRevision.create({
      data: { creditCode: r.creditCode, version, snapshot: canonicalJson(snapshot), replacedAt: at },
    });
    await tx.target.update({ where: { creditCode: r.creditCode }, data: { ...r, version: version + 1 } });
  },
};

const inspectors: Applier<Prisma.InspectorCreateManyInput> = {
  toRecord: (v) => ({
    certNo: s(v, "执法证号"),
    name: s(v, "姓名"),
    unit: s(v, "所属单位"),
    roles: joined(v, "角色"),
    specialties: joined(v, "专业领域"),
    mobile: s(v, "手机号") || null,
    openId: s(v, "飞书open_id") || null,
    status: s(v, "状态"),
  }),
  key: (r) => r.certNo,
  async prepare(db, rows, errors, directory) {
    const needLookup = rows.filter((r) => !r.record.openId && r.record.mobile);
    if (needLookup.length > 0) {
      if (!directory) {
        for (const r of needLookup)
          errors.add(
            r.rowNumber,
            "飞书open_id",
            "未配置飞书应用（LARK_APP_ID/LARK_APP_SECRET），无法通过手机号解析 open_id，请填写飞书open_id",
          );
      } else {
        const found = await directory.resolveMobiles([...new Set(needLookup.map((r) => r.record.mobile!))]);
        for (const r of needLookup) {
          const openId = found.get(r.record.mobile!);
          if (openId) r.record.openId = openId;
          else errors.add(r.rowNumber, "手机号", `飞书通讯录中找不到手机号 ${r.record.mobile}（或不在应用可用范围内）`);
        }
      }
    }
    const byOpenId = new Map<string, number>();
    for (const r of rows) {
      if (!r.record.openId) continue;
      const first = byOpenId.get(r.record.openId);
      if (first !== undefined) errors.add(r.rowNumber, "飞书open_id", `与第${first}行是同一个飞书账号`);
      else byOpenId.set(r.record.openId, r.rowNumber);
    }
    const taken = await inChunks([...byOpenId.keys()], (c) =>
      db.inspector.findMany({ where: { openId: { in: c } }, select: { openId: true, certNo: true } }),
    );
    const rowByOpenId = new Map(
      rows
        .filter((r) => r.record.openId)
        .map((r) => [r.record.openId!, r] as const)
        .reverse(),
    ); // the first row wins
    for (const t of taken) {
      const row = rowByOpenId.get(t.openId!);
      if (row && row.record.certNo !== t.certNo)
        errors.add(row.rowNumber, "飞书open_id", `该飞书账号已属于执法证号 ${t.certNo}`);
    }
  },
  existing: async (tx, keys) =>
    new Map(
      (await inChunks(keys, (c) => tx.inspector.findMany({ where: { certNo: { in: c } } }))).map((x) => [x.certNo, x]),
    ),
  create: async (tx, rs) => void (await tx.inspector.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.inspector.update({ where: { certNo: r.certNo }, data: r })),
};

const conflicts: Applier<{ certNo: string; creditCode: string; reason: string }> = {
  toRecord: (v) => ({ certNo: s(v, "执法证号"), creditCode: s(v, "统一社会信用代码"), reason: s(v, "原因") }),
  key: (r) => `${r.certNo}|${r.creditCode}`,
  async prepare(db, rows, errors) {
    const certs = new Set(
      (
        await inChunks([...new Set(rows.map((r) => r.record.certNo))], (c) =>
          db.inspector.findMany({ where: { certNo: { in: c } }, select: { certNo: true } }),
        )
      ).map((x) => x.certNo),
    );
    const codes = new Set(
      (
        await inChunks([...new Set(rows.map((r) => r.record.creditCode))], (c) =>
          db.target.findMany({ where: { creditCode: { in: c } }, select: { creditCode: true } }),
        )
      ).map((x) => x.creditCode),
    );
    for (const r of rows) {
      if (!certs.has(r.record.certNo)) errors.add(r.rowNumber, "执法证号", "执法检查人员名录库中没有该执法证号");
      if (!codes.has(r.record.creditCode))
        errors.add(r.rowNumber, "统一社会信用代码", "检查对象名录库中没有该统一社会信用代码");
    }
  },
  existing: async (tx, keys) => {
    const found = await inChunks(keys, (c) =>
      tx.conflict.findMany({
        where: { OR: c.map((k) => ({ certNo: k.split("|")[0]!, creditCode: k.split("|")[1]! })) },
      }),
    );
    return new Map(found.map((x) => [`${x.certNo}|${x.creditCode}`, x]));
  },
  create: async (tx, rs) => void (await tx.conflict.createMany({ data: rs })),
  update: async (tx, _b, r) =>
    void (await tx.conflict.update({
      where: { certNo_creditCode: { certNo: r.certNo, creditCode: r.creditCode } },
      data: { reason: r.reason },
    })),
};

const holidays: Applier<Prisma.HolidayCreateManyInput> = {
  toRecord: (v) => ({ date: s(v, "日期"), kind: s(v, "类型"), name: s(v, "名称") }),
  key: (r) => r.date,
  existing: async (tx, keys) =>
    new Map((await inChunks(keys, (c) => tx.holiday.findMany({ where: { date: { in: c } } }))).map((x) => [x.date, x])),
  create: async (tx, rs) => void (await tx.holiday.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.holiday.update({ where: { date: r.date }, data: r })),
};

/** Fields a committed or finished draw froze: changing them would make the plan disagree with its draw. */
const DRAW_FIELDS = [
  "itemCode",
  "ratioLowBp",
  "ratioMidBp",
  "ratioHighBp",
  "inspectorsPerTarget",
  "jointUnits",
] as const;

const plan: Applier<Prisma.TaskCreateManyInput> = {
  toRecord: (v) => ({
    code: s(v, "任务编号"),
    name: s(v, "任务名称"),
    year: v["年度"] as number,
    itemCode: s(v, "事项编码"),
    startDate: s(v, "开始日期"),
    endDate: s(v, "结束日期"),
    ratioLowBp: v["低风险比例(%)"] as number | null,
    ratioMidBp: v["中风险比例(%)"] as number | null,
    ratioHighBp: v["高风险比例(%)"] as number | null,
    inspectorsPerTarget: v["每户检查人数"] as number,
    jointUnits: joined(v, "联合单位"),
  }),
  key: (r) => r.code,
  async prepare(db, rows, errors, _d, warnings) {
    const codes = new Set((await db.item.findMany({ select: { code: true } })).map((x) => x.code));
    const units = new Set(
      (await db.inspector.findMany({ select: { unit: true }, distinct: ["unit"] })).map((x) => x.unit),
    );
    for (const r of rows) {
      if (!codes.has(r.record.itemCode))
        errors.add(r.rowNumber, "事项编码", "抽查事项清单中没有该事项编码（请先导入抽查事项清单）");
      for (const u of (r.record.jointUnits ?? "").split(";").filter(Boolean)) {
        if (!units.has(u)) warnings.push(`第${r.rowNumber}行 联合单位: 执法检查人员名录库中暂无「${u}」的人员`);
      }
    }
  },
  // A draw committed meanwhile freezes the task: checked inside the write transaction.
  async recheck(tx, rows, errors) {
    const tasks = new Map(
      (
        await inChunks(
          rows.map((r) => r.record.code),
          (c) => tx.task.findMany({ where: { code: { in: c } } }),
        )
      ).map((t) => [t.code, t]),
    );
    const drawn = new Set(
      (
        await inChunks(
          rows.map((r) => r.record.code),
          (c) =>
            tx.draw.findMany({
              where: { taskCode: { in: c }, status: { in: ["committed", "revealed"] } },
              select: { taskCode: true },
            }),
        )
      ).map((d) => d.taskCode),
    );
    for (const r of rows) {
      const before = tasks.get(r.record.code);
      if (
        before &&
        drawn.has(r.record.code) &&
        DRAW_FIELDS.some((f) => canonicalJson(before[f] ?? null) !== canonicalJson(r.record[f] ?? null))
      ) {
        errors.add(r.rowNumber, "任务编号", "该任务已有抽取记录，不能再修改事项编码、抽查比例、每户检查人数或联合单位");
      }
    }
  },
  existing: async (tx, keys) =>
    new Map((await inChunks(keys, (c) => tx.task.findMany({ where: { code: { in: c } } }))).map((x) => [x.code, x])),
  create: async (tx, rs) => void (await tx.task.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.task.update({ where: { code: r.code }, data: r })),
};

const APPLIERS: Record<ImportKind, Applier<never>> = {
  items,
  targets,
  inspectors,
  conflicts,
  holidays,
  plan,
} as unknown as Record<ImportKind, Applier<never>>;

/**
 * Imports one list, all or nothing: every problem is reported as `第N行 列名: 原因` and nothing is
 * written unless all rows are valid. Re-importing upserts by key and never deletes anything.
 * Called by the CLI and by the chat upload alike.
 *
 * The file is checked against the limits before it is parsed, its rows are validated as they are
 * read (only valid values are kept), the database checks and the diff against what is stored are
 * read outside the transaction, and the writes then go in one short all-or-nothing transaction
 * (interface.md §3: an import validates before it takes the writer).
 */
export async function importFile(db: Db, buffer: Buffer, fileName: string, opts: ImportOptions): Promise<ImportReport> {
  const source = await openTable(buffer, fileName, opts.limits ?? DEFAULT_IMPORT_LIMITS);
  const kind = opts.kind ?? detectKind(source.headers);
  if (!kind) {
    throw new AppError(
      "UNKNOWN_KIND",
      `无法从表头识别名录种类。表头须与模板一致，可用「drbot template <种类>」生成模板。识别到的表头：${source.headers.join("、") || "（空）"}`,
    );
  }
  const spec = KIND_SPECS[kind];
  const applier = APPLIERS[kind] as unknown as Applier<Record<string, unknown>>;
  const validator = new TableValidator(kind, source.headers, (v) => applier.toRecord(v));
  if (validator.headersOk) for await (const row of source.rows) validator.add(row);
  const { rows: records, errors } = validator.finish();
  const warnings: string[] = [];
  const fileHash = createHash("sha256").update(buffer).digest("hex");
  const rejected = () => {
    const messages = errors.messages();
    return new AppError(
      "IMPORT_REJECTED",
      `${spec.title}未导入（共 ${messages.length} 处问题，未写入任何数据）：\n${messages.join("\n")}`,
      { errors: messages, kind },
    );
  };
  if (validator.headersOk) await applier.prepare?.(db, records, errors, opts.directory, warnings);
  if (errors.size > 0) throw rejected();

  const existing = await applier.existing(
    db,
    records.map((r) => applier.key(r.record)),
  );
  const fresh: Record<string, unknown>[] = [];
  const changed: { before: Record<string, unknown>; record: Record<string, unknown> }[] = [];
  let same = 0;
  for (const { record } of records) {
    const before = existing.get(applier.key(record));
    if (!before) fresh.push(record);
    else if (unchanged(before, record)) same++;
    else changed.push({ before, record });
  }
  existing.clear();

  return writeTx(
    db,
    async (tx) => {
      await applier.recheck?.(tx, records, errors);
      if (errors.size > 0) throw rejected();
      const calendarBefore = kind === "holidays" ? await loadCalendar(tx) : null;
      for (const { before, record } of changed) await applier.update(tx, before as never, record, opts.at);
      // A row created meanwhile by someone else makes createMany fail: the whole import rolls back.
      if (fresh.length > 0) await applier.create(tx, fresh);
      await appendAudit(tx, {
        at: opts.at,
        actor: opts.actor,
        action: `import.${kind}`,
        entity: kind,
        entityId: fileHash,
        data: {
          fileName,
          fileSha256: fileHash,
          rows: records.length,
          created: fresh.map((r) => applier.key(r)),
          updated: changed.map((c) => applier.key(c.record)),
          unchanged: same,
        },
      });
      // A new 节假日安排 moves open deadlines: recompute them now, in the same transaction.
      if (calendarBefore)
        warnings.push(
          ...(await recomputeDeadlines(tx, calendarBefore, await loadCalendar(tx), {
            now: opts.at,
            actor: opts.actor,
            batch: fileHash.slice(0, 16),
          })),
        );
      const report: ImportReport = {
        kind,
        title: spec.title,
        rows: records.length,
        created: fresh.length,
        updated: changed.length,
        unchanged: same,
        warnings,
      };
      if (kind === "plan") {
        // 一公开 of the plan: a changed year gets a new version and a card on the announce group.
        const years = [
          ...records.map((r) => r.record["year"] as number),
          ...changed.map((c) => c.before["year"] as number),
        ];
        const plan = await recordPlanVersions(tx, {
          years,
          actor: opts.actor,
          at: opts.at,
          announceChatId: opts.announceChatId,
          bureauName: opts.bureauName,
        });
        warnings.push(...plan.warnings);
        report.planVersions = plan.versions;
      }
      return report;
    },
    { timeout: 10 * 60_000, maxWait: 60_000, budgetMs: 10 * 60_000 },
  );
}
