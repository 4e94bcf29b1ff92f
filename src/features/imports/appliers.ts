import { canonicalJson } from "../../domain/canonical";
import type { Db, Prisma, Tx } from "../../store/db";
import type { ContactDirectory } from "../../lark/contact";
import type { ImportKind } from "./kinds";
import type { RowErrors } from "./validate";

/**
 * What each list other than 检查对象名录库 reads and writes through Prisma (lists of hundreds of rows;
 * the targets list, which runs to 100,000s, is written by targetsBulk.ts). Pure of any runtime
 * import of the client: the calls go to the `db`/`tx` they are given.
 */

type Reader = Db | Tx;
export type Values = Record<string, unknown>;
export const s = (v: Values, k: string) => v[k] as string;
const joined = (v: Values, k: string) => (v[k] as string[]).join(";");

/** What each list writes; `prepare` runs the database checks, `apply` the writes (inside the transaction). */
export interface Applier<R> {
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
export function unchanged(before: Record<string, unknown>, after: object): boolean {
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

export type ListKind = Exclude<ImportKind, "targets">;

export const APPLIERS: Record<ListKind, Applier<never>> = {
  items,
  inspectors,
  conflicts,
  holidays,
  plan,
} as unknown as Record<ListKind, Applier<never>>;
