import { createHash } from "node:crypto";
import { canonicalJson } from "../../domain/canonical";
import { AppError } from "../../domain/errors";
import { appendAudit } from "../../store/audit";
import type { Db, Prisma } from "../../store/db";
import { recordPlanVersions } from "../plan/versions";
import { detectKind, KIND_SPECS, type ImportKind } from "./kinds";
import { readTable } from "./table";
import { RowErrors, validateTable, type ParsedRow } from "./validate";

/** Resolves mobiles to Feishu open_ids (contact API batch_get_id); null when no Feishu app is configured. */
export interface ContactDirectory {
  resolveMobiles(mobiles: string[]): Promise<Map<string, string>>;
}

export interface ImportOptions {
  kind?: ImportKind; // detected from the header row when absent (files sent in chat)
  actor: string;
  at: Date;
  directory: ContactDirectory | null;
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
type Values = Record<string, unknown>;
const s = (v: Values, k: string) => v[k] as string;
const joined = (v: Values, k: string) => (v[k] as string[]).join(";");

/** What each list writes; `prepare` runs the database checks, `apply` the writes (inside the transaction). */
interface Applier<R> {
  toRecord(v: Values): R;
  key(r: R): string;
  prepare?(db: Tx, rows: { rowNumber: number; record: R }[], errors: RowErrors, directory: ContactDirectory | null, warnings: string[]): Promise<void>;
  existing(tx: Tx, keys: string[]): Promise<Map<string, R & Record<string, unknown>>>;
  create(tx: Tx, records: R[]): Promise<void>;
  update(tx: Tx, before: R & Record<string, unknown>, after: R, at: Date): Promise<void>;
}

const CHUNK = 500;
async function inChunks<T>(keys: string[], fetch: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let k = 0; k < keys.length; k += CHUNK) out.push(...(await fetch(keys.slice(k, k + CHUNK))));
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
  existing: async (tx, keys) => new Map((await inChunks(keys, (c) => tx.item.findMany({ where: { code: { in: c } } }))).map((x) => [x.code, x])),
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
  existing: async (tx, keys) =>
    new Map((await inChunks(keys, (c) => tx.target.findMany({ where: { creditCode: { in: c } } }))).map((x) => [x.creditCode, x])),
  create: async (tx, rs) => {
    for (let k = 0; k < rs.length; k += CHUNK) await tx.target.createMany({ data: rs.slice(k, k + CHUNK) });
  },
  // A changed target keeps its old content as a revision, so results and exports of earlier draws stay true.
  update: async (tx, before, r, at) => {
    const version = before["version"] as number;
    const snapshot = Object.fromEntries(Object.keys(r).map((k) => [k, before[k] ?? null]));
    await tx.targetRevision.create({ data: { creditCode: r.creditCode, version, snapshot: canonicalJson(snapshot), replacedAt: at } });
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
        for (const r of needLookup) errors.add(r.rowNumber, "飞书open_id", "未配置飞书应用（LARK_APP_ID/LARK_APP_SECRET），无法通过手机号解析 open_id，请填写飞书open_id");
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
    const taken = await inChunks([...byOpenId.keys()], (c) => db.inspector.findMany({ where: { openId: { in: c } }, select: { openId: true, certNo: true } }));
    for (const t of taken) {
      const row = rows.find((r) => r.record.openId === t.openId);
      if (row && row.record.certNo !== t.certNo) errors.add(row.rowNumber, "飞书open_id", `该飞书账号已属于执法证号 ${t.certNo}`);
    }
  },
  existing: async (tx, keys) => new Map((await inChunks(keys, (c) => tx.inspector.findMany({ where: { certNo: { in: c } } }))).map((x) => [x.certNo, x])),
  create: async (tx, rs) => void (await tx.inspector.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.inspector.update({ where: { certNo: r.certNo }, data: r })),
};

const conflicts: Applier<{ certNo: string; creditCode: string; reason: string }> = {
  toRecord: (v) => ({ certNo: s(v, "执法证号"), creditCode: s(v, "统一社会信用代码"), reason: s(v, "原因") }),
  key: (r) => `${r.certNo}|${r.creditCode}`,
  async prepare(db, rows, errors) {
    const certs = new Set((await inChunks([...new Set(rows.map((r) => r.record.certNo))], (c) => db.inspector.findMany({ where: { certNo: { in: c } }, select: { certNo: true } }))).map((x) => x.certNo));
    const codes = new Set(
      (await inChunks([...new Set(rows.map((r) => r.record.creditCode))], (c) => db.target.findMany({ where: { creditCode: { in: c } }, select: { creditCode: true } }))).map((x) => x.creditCode),
    );
    for (const r of rows) {
      if (!certs.has(r.record.certNo)) errors.add(r.rowNumber, "执法证号", "执法检查人员名录库中没有该执法证号");
      if (!codes.has(r.record.creditCode)) errors.add(r.rowNumber, "统一社会信用代码", "检查对象名录库中没有该统一社会信用代码");
    }
  },
  existing: async (tx, keys) => {
    const found = await inChunks(keys, (c) =>
      tx.conflict.findMany({ where: { OR: c.map((k) => ({ certNo: k.split("|")[0]!, creditCode: k.split("|")[1]! })) } }),
    );
    return new Map(found.map((x) => [`${x.certNo}|${x.creditCode}`, x]));
  },
  create: async (tx, rs) => void (await tx.conflict.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.conflict.update({ where: { certNo_creditCode: { certNo: r.certNo, creditCode: r.creditCode } }, data: { reason: r.reason } })),
};

const holidays: Applier<Prisma.HolidayCreateManyInput> = {
  toRecord: (v) => ({ date: s(v, "日期"), kind: s(v, "类型"), name: s(v, "名称") }),
  key: (r) => r.date,
  existing: async (tx, keys) => new Map((await inChunks(keys, (c) => tx.holiday.findMany({ where: { date: { in: c } } }))).map((x) => [x.date, x])),
  create: async (tx, rs) => void (await tx.holiday.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.holiday.update({ where: { date: r.date }, data: r })),
};

/** Fields a committed or finished draw froze: changing them would make the plan disagree with its draw. */
const DRAW_FIELDS = ["itemCode", "ratioLowBp", "ratioMidBp", "ratioHighBp", "inspectorsPerTarget", "jointUnits"] as const;

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
    const units = new Set((await db.inspector.findMany({ select: { unit: true }, distinct: ["unit"] })).map((x) => x.unit));
    const tasks = new Map((await inChunks(rows.map((r) => r.record.code), (c) => db.task.findMany({ where: { code: { in: c } } }))).map((t) => [t.code, t]));
    const drawn = new Set(
      (await inChunks(rows.map((r) => r.record.code), (c) => db.draw.findMany({ where: { taskCode: { in: c }, status: { in: ["committed", "revealed"] } }, select: { taskCode: true } }))).map(
        (d) => d.taskCode,
      ),
    );
    for (const r of rows) {
      if (!codes.has(r.record.itemCode)) errors.add(r.rowNumber, "事项编码", "抽查事项清单中没有该事项编码（请先导入抽查事项清单）");
      const before = tasks.get(r.record.code);
      if (before && drawn.has(r.record.code) && DRAW_FIELDS.some((f) => canonicalJson(before[f] ?? null) !== canonicalJson(r.record[f] ?? null))) {
        errors.add(r.rowNumber, "任务编号", "该任务已有抽取记录，不能再修改事项编码、抽查比例、每户检查人数或联合单位");
      }
      for (const u of (r.record.jointUnits ?? "").split(";").filter(Boolean)) {
        if (!units.has(u)) warnings.push(`第${r.rowNumber}行 联合单位: 执法检查人员名录库中暂无「${u}」的人员`);
      }
    }
  },
  existing: async (tx, keys) => new Map((await inChunks(keys, (c) => tx.task.findMany({ where: { code: { in: c } } }))).map((x) => [x.code, x])),
  create: async (tx, rs) => void (await tx.task.createMany({ data: rs })),
  update: async (tx, _b, r) => void (await tx.task.update({ where: { code: r.code }, data: r })),
};

const APPLIERS: Record<ImportKind, Applier<never>> = { items, targets, inspectors, conflicts, holidays, plan } as unknown as Record<ImportKind, Applier<never>>;

/**
 * Imports one list, all or nothing: every problem is reported as `第N行 列名: 原因` and nothing is
 * written unless all rows are valid. Re-importing upserts by key and never deletes anything.
 * Called by the CLI and by the chat upload alike.
 */
export async function importFile(db: Db, buffer: Buffer, fileName: string, opts: ImportOptions): Promise<ImportReport> {
  const table = await readTable(buffer, fileName);
  const kind = opts.kind ?? detectKind(table.headers);
  if (!kind) {
    throw new AppError("UNKNOWN_KIND", `无法从表头识别名录种类。表头须与模板一致，可用「drbot template <种类>」生成模板。识别到的表头：${table.headers.join("、") || "（空）"}`);
  }
  const spec = KIND_SPECS[kind];
  const { rows, errors } = validateTable(kind, table);
  const applier = APPLIERS[kind] as unknown as Applier<Record<string, unknown>>;
  const records = rows.map((r: ParsedRow) => ({ rowNumber: r.rowNumber, record: applier.toRecord(r.values) }));
  const warnings: string[] = [];
  const fileHash = createHash("sha256").update(buffer).digest("hex");
  // Reference checks run inside the write transaction, so nothing can change between check and write.
  return db.$transaction(
    async (tx) => {
      await applier.prepare?.(tx, records, errors, opts.directory, warnings);
      if (errors.size > 0) {
        const messages = errors.messages();
        throw new AppError("IMPORT_REJECTED", `${spec.title}未导入（共 ${messages.length} 处问题，未写入任何数据）：\n${messages.join("\n")}`, { errors: messages, kind });
      }
      const existing = await applier.existing(tx, records.map((r) => applier.key(r.record)));
      const fresh: Record<string, unknown>[] = [];
      const changedKeys: string[] = [];
      let same = 0;
      for (const { record } of records) {
        const before = existing.get(applier.key(record));
        if (!before) fresh.push(record);
        else if (unchanged(before, record)) same++;
        else {
          await applier.update(tx, before, record, opts.at);
          changedKeys.push(applier.key(record));
        }
      }
      if (fresh.length > 0) await applier.create(tx, fresh);
      await appendAudit(tx, {
        at: opts.at,
        actor: opts.actor,
        action: `import.${kind}`,
        entity: kind,
        entityId: fileHash,
        data: { fileName, fileSha256: fileHash, rows: records.length, created: fresh.map((r) => applier.key(r)), updated: changedKeys, unchanged: same },
      });
      if (kind === "plan") {
        // 一公开 of the plan: a changed year gets a new version and a card on the announce group.
        const years = [...records.map((r) => r.record["year"] as number), ...[...existing.values()].map((t) => t["year"] as number)];
        const plan = await recordPlanVersions(tx, { years, actor: opts.actor, at: opts.at, announceChatId: opts.announceChatId, bureauName: opts.bureauName });
        warnings.push(...plan.warnings);
        return { kind, title: spec.title, rows: records.length, created: fresh.length, updated: changedKeys.length, unchanged: same, warnings, planVersions: plan.versions };
      }
      return { kind, title: spec.title, rows: records.length, created: fresh.length, updated: changedKeys.length, unchanged: same, warnings };
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
}
