import { z } from "zod";
import { isValidDate } from "../../domain/calendar";
import { creditCodeProblem } from "../../domain/creditCode";
import { parseRatioBp } from "../../domain/draw/counts";

/** The six lists of interface.md §7: their headers, examples, and per-cell rules (zod, Chinese reasons). */

export const IMPORT_KINDS = ["items", "targets", "inspectors", "conflicts", "holidays", "plan"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

const TARGET_STATUSES = ["存续", "在业", "停业", "注销", "吊销"] as const;
export const ACTIVE_STATUSES: readonly string[] = ["存续", "在业"];
const RISK_LEVELS = ["低", "中", "高"] as const;
import { ROLES, splitList } from "../../domain/roles";
export { ROLES, splitList, type Role } from "../../domain/roles";

const text = (max = 200) => z.string().max(max, `不能超过 ${max} 个字`);
const required = (max = 200) => text(max).min(1, "必填");
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().refine((v): v is T[number] => (values as readonly string[]).includes(v), `应为 ${values.join("/")} 之一`);
const withDefault = <T extends z.ZodType<unknown, string>>(schema: T, fallback: string) =>
  z
    .string()
    .transform((v) => (v === "" ? fallback : v))
    .pipe(schema);
const ratio = (isRequired: boolean) =>
  z.string().transform((v, ctx) => {
    if (v === "") {
      if (isRequired) ctx.addIssue({ code: "custom", message: "必填" });
      return null;
    }
    const bp = parseRatioBp(v);
    if (bp === null || bp === 0) {
      ctx.addIssue({ code: "custom", message: `「${v}」不是 0 到 100 之间、最多两位小数的百分比` });
      return z.NEVER;
    }
    return bp;
  });
const date = z.string().refine(isValidDate, "应为 YYYY-MM-DD 格式的有效日期");
const creditCode = z
  .string()
  .transform((v) => v.toUpperCase())
  .superRefine((v, ctx) => {
    if (v === "") return void ctx.addIssue({ code: "custom", message: "必填" });
    const p = creditCodeProblem(v);
    if (p) ctx.addIssue({ code: "custom", message: p });
  });
const list = <T extends readonly [string, ...string[]] | null>(allowed: T) =>
  z.string().transform((v, ctx) => {
    const items = [...new Set(splitList(v))];
    if (allowed) {
      for (const x of items) {
        if (!(allowed as readonly string[]).includes(x))
          ctx.addIssue({ code: "custom", message: `「${x}」不是 ${allowed.join("/")} 之一` });
      }
    }
    return items;
  });

export interface ColumnSpec {
  name: string;
  required: boolean;
  example: string;
  schema: z.ZodType;
}

const col = (name: string, isRequired: boolean, example: string, schema: z.ZodType): ColumnSpec => ({
  name,
  required: isRequired,
  example,
  schema,
});

export interface KindSpec {
  kind: ImportKind;
  title: string;
  /** The column whose value identifies a row (re-import upserts by it); conflicts use two. */
  keyColumns: string[];
  columns: ColumnSpec[];
  /** Groups of which at least one header must be present (inspectors: 手机号 or 飞书open_id). */
  anyOf?: string[][];
}

export const KIND_SPECS: Record<ImportKind, KindSpec> = {
  items: {
    kind: "items",
    title: "抽查事项清单",
    keyColumns: ["事项编码"],
    columns: [
      col("事项编码", true, "JT-YS-001", required(64)),
      col("抽查事项", true, "道路普通货物运输经营许可的监督检查", required()),
      col("抽查类别", true, "一般", oneOf(["一般", "重点"] as const)),
      col("检查对象类型", true, "道路普通货物运输经营者", required(64)),
      col("抽查比例(%)", true, "5", ratio(true)),
      col("检查方式", false, "实地检查", text()),
      col("检查依据", false, "《道路运输条例》第六十条", text(1000)),
      col("检查内容", false, "经营资质、车辆技术档案、安全生产管理制度", text(1000)),
      col("所需专业", false, "", text(64)),
    ],
  },
  targets: {
    kind: "targets",
    title: "检查对象名录库",
    keyColumns: ["统一社会信用代码"],
    columns: [
      col("统一社会信用代码", true, "91330100MA2B3C4D5N", creditCode),
      col("名称", true, "某某运输有限公司", required()),
      col("对象类型", true, "道路普通货物运输经营者", required(64)),
      col("经营状态", true, "存续", oneOf(TARGET_STATUSES)),
      col("风险等级", false, "中", withDefault(oneOf(RISK_LEVELS), "中")),
      col("地址", false, "某县某路1号", text()),
      col("法定代表人", false, "张三", text(64)),
      col("联系电话", false, "0571-88888888", text(64)),
      col("所属区域", false, "城关镇", text(64)),
    ],
  },
  inspectors: {
    kind: "inspectors",
    title: "执法检查人员名录库",
    keyColumns: ["执法证号"],
    anyOf: [["手机号", "飞书open_id"]],
    columns: [
      col("执法证号", true, "33010012345", required(64)),
      col("姓名", true, "王检查", required(64)),
      col("所属单位", true, "县交通运输执法大队", required(64)),
      col(
        "角色",
        true,
        "执法人员",
        list(ROLES).refine((v) => v.length > 0, "必填"),
      ),
      col("专业领域", false, "道路运输;安全生产", list(null)),
      col(
        "手机号",
        false,
        "13800000000",
        z.string().refine((v) => v === "" || /^1\d{10}$/.test(v), "应为 11 位手机号"),
      ),
      col(
        "飞书open_id",
        false,
        "",
        z.string().refine((v) => v === "" || /^ou_[0-9A-Za-z_-]{4,}$/.test(v), "应为 ou_ 开头的 open_id"),
      ),
      col("状态", false, "在岗", withDefault(oneOf(["在岗", "离岗"] as const), "在岗")),
    ],
  },
  conflicts: {
    kind: "conflicts",
    title: "回避关系",
    keyColumns: ["执法证号", "统一社会信用代码"],
    columns: [
      col("执法证号", true, "33010012345", required(64)),
      col("统一社会信用代码", true, "91330100MA2B3C4D5N", creditCode),
      col("原因", true, "近亲属在该企业任职", required(500)),
    ],
  },
  holidays: {
    kind: "holidays",
    title: "节假日安排",
    keyColumns: ["日期"],
    columns: [
      col("日期", true, "2027-01-01", date),
      col("类型", true, "休", oneOf(["休", "班"] as const)),
      col("名称", false, "元旦", text(64)),
    ],
  },
  plan: {
    kind: "plan",
    title: "年度抽查计划",
    keyColumns: ["任务编号"],
    columns: [
      col(
        "任务编号",
        true,
        "T2026-01",
        required(64).refine((v) => !/\s/.test(v), "不能包含空格"),
      ),
      col("任务名称", true, "2026年道路货运经营者双随机抽查", required()),
      col(
        "年度",
        true,
        "2026",
        z
          .string()
          .regex(/^(19|20|21)\d{2}$/, "应为四位年份")
          .transform(Number),
      ),
      col("事项编码", true, "JT-YS-001", required(64)),
      col("开始日期", true, "2026-03-01", date),
      col("结束日期", true, "2026-10-31", date),
      col("低风险比例(%)", false, "", ratio(false)),
      col("中风险比例(%)", false, "", ratio(false)),
      col("高风险比例(%)", false, "", ratio(false)),
      col(
        "每户检查人数",
        false,
        "2",
        withDefault(
          z
            .string()
            .regex(/^\d+$/, "应为整数")
            .transform(Number)
            .pipe(z.number().min(2, "至少 2 人").max(10, "不超过 10 人")),
          "2",
        ),
      ),
      col("联合单位", false, "", list(null)),
    ],
  },
};

/** Which kind a header row belongs to (chat uploads carry no kind): all required headers present, most headers matched. */
export function detectKind(headers: readonly string[]): ImportKind | null {
  const have = new Set(headers);
  let best: { kind: ImportKind; score: number } | null = null;
  for (const spec of Object.values(KIND_SPECS)) {
    if (!spec.columns.every((c) => !c.required || have.has(c.name))) continue;
    if (spec.anyOf && !spec.anyOf.every((g) => g.some((h) => have.has(h)))) continue;
    const score = spec.columns.filter((c) => have.has(c.name)).length;
    if (!best || score > best.score) best = { kind: spec.kind, score };
  }
  return best?.kind ?? null;
}
