import { withCheckChar } from "../domain/creditCode";
import { KIND_SPECS, type ImportKind } from "../features/imports/kinds";

/**
 * A small, deterministic county transport bureau: the sandbox loads it, tests import it.
 * Produced as CSV text in the §7 formats so it goes through the real import path.
 */

export const DEMO_UNITS = ["县交通运输综合行政执法大队", "县道路运输管理所", "县公路事业发展中心"] as const;

/** A valid 统一社会信用代码 for the n-th demo company (body: 91 + 330122 + MA2 + 6 digits). */
export const demoCreditCode = (n: number) => withCheckChar(`91330122MA2${String(n).padStart(6, "0")}`);

export const DEMO_OPEN_IDS = {
  leader: "ou_1eade71eade71eade71eade71eade71e",
  inspectorA: "ou_a11ce0a11ce0a11ce0a11ce0a11ce0a1",
  legal: "ou_1e9a11e9a11e9a11e9a11e9a11e9a11e",
  admin: "ou_ad0000ad0000ad0000ad0000ad0000ad",
};

function csv(kind: ImportKind, rows: Record<string, string>[]): string {
  const headers = KIND_SPECS[kind].columns.map((c) => c.name);
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [headers.join(","), ...rows.map((r) => headers.map((h) => quote(r[h] ?? "")).join(","))].join("\n") + "\n";
}

const TYPES = [
  { type: "道路普通货物运输经营者", suffix: "物流有限公司", count: 60 },
  { type: "道路旅客运输经营者", suffix: "客运有限公司", count: 24 },
  { type: "机动车维修经营者", suffix: "汽车维修有限公司", count: 30 },
  { type: "道路危险货物运输经营者", suffix: "危险品运输有限公司", count: 12 },
];
const PLACES = ["城关", "新塘", "龙山", "青溪", "石门", "凤岭", "白沙", "东湖", "南岗", "西坞", "北渡", "花桥"];
const SURNAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"];

export function demoCsv(): Record<ImportKind, string> {
  const items = csv("items", [
    {
      事项编码: "JT-HY-001",
      抽查事项: "道路普通货物运输经营行为的监督检查",
      抽查类别: "一般",
      检查对象类型: "道路普通货物运输经营者",
      "抽查比例(%)": "5",
      检查方式: "实地检查",
      检查依据: "《中华人民共和国道路运输条例》",
      检查内容: "经营资质、车辆技术档案、从业人员资格",
    },
    {
      事项编码: "JT-KY-001",
      抽查事项: "道路旅客运输经营行为的监督检查",
      抽查类别: "重点",
      检查对象类型: "道路旅客运输经营者",
      "抽查比例(%)": "20",
      检查方式: "实地检查",
      检查依据: "《道路旅客运输及客运站管理规定》",
      检查内容: "安全生产主体责任落实、驾驶员管理",
    },
    {
      事项编码: "JT-WX-001",
      抽查事项: "机动车维修经营行为的监督检查",
      抽查类别: "一般",
      检查对象类型: "机动车维修经营者",
      "抽查比例(%)": "10",
      检查方式: "实地检查",
      检查依据: "《机动车维修管理规定》",
      检查内容: "维修资质、竣工出厂合格证",
      所需专业: "机动车维修",
    },
    {
      事项编码: "JT-WH-001",
      抽查事项: "道路危险货物运输经营行为的监督检查",
      抽查类别: "重点",
      检查对象类型: "道路危险货物运输经营者",
      "抽查比例(%)": "50",
      检查方式: "实地检查",
      检查依据: "《道路危险货物运输管理规定》",
      检查内容: "专用车辆、罐体检验、押运人员",
      所需专业: "危险货物",
    },
  ]);

  let n = 0;
  const targetRows: Record<string, string>[] = [];
  for (const t of TYPES) {
    for (let k = 0; k < t.count; k++) {
      n++;
      const place = PLACES[n % PLACES.length]!;
      targetRows.push({
        统一社会信用代码: demoCreditCode(n),
        名称: `${place}${SURNAMES[n % SURNAMES.length]}氏${t.suffix.startsWith("物流") ? `${k + 1}号` : ""}${t.suffix}`,
        对象类型: t.type,
        经营状态: n % 17 === 0 ? "停业" : n % 23 === 0 ? "注销" : n % 2 === 0 ? "存续" : "在业",
        风险等级: n % 7 === 0 ? "高" : n % 3 === 0 ? "低" : "中",
        地址: `某县${place}镇${((n * 7) % 90) + 1}号`,
        法定代表人: `${SURNAMES[(n * 5) % SURNAMES.length]}某`,
        联系电话: `0571-8${String(1000000 + n * 7919).slice(-7)}`,
        所属区域: `${place}镇`,
      });
    }
  }

  const inspectorRows: Record<string, string>[] = [];
  const people: [string, string, string, string, string][] = [
    // name, unit index, roles, specialties, open_id
    ["李局长", "0", "领导;执法人员", "道路运输", DEMO_OPEN_IDS.leader],
    ["王检查", "0", "执法人员", "道路运输;安全生产", DEMO_OPEN_IDS.inspectorA],
    ["赵法制", "0", "法制员", "法制审核", DEMO_OPEN_IDS.legal],
    ["钱管理", "0", "管理员", "", DEMO_OPEN_IDS.admin],
  ];
  const specialties = ["道路运输", "机动车维修", "危险货物", "安全生产"];
  for (let k = 0; k < 14; k++) {
    const spec = [specialties[k % specialties.length]!, specialties[(k + 1) % specialties.length]!].join(";");
    people.push([
      `${SURNAMES[k]}${["明", "华", "强", "丽", "军", "芳", "伟"][k % 7]}`,
      String(k % 3),
      "执法人员",
      spec,
      `ou_${(k + 1).toString(16).padStart(2, "0").repeat(16)}`,
    ]);
  }
  people.forEach(([name, unit, roles, spec, openId], k) =>
    inspectorRows.push({
      执法证号: `3301220${String(k + 1).padStart(4, "0")}`,
      姓名: name,
      所属单位: DEMO_UNITS[Number(unit)]!,
      角色: roles,
      专业领域: spec,
      飞书open_id: openId,
      状态: "在岗",
    }),
  );

  const conflicts = csv("conflicts", [
    { 执法证号: "33012200002", 统一社会信用代码: demoCreditCode(2), 原因: "配偶在该企业任职" },
    { 执法证号: "33012200005", 统一社会信用代码: demoCreditCode(61), 原因: "曾在该企业任职未满三年" },
  ]);
  const plan = csv("plan", [
    {
      任务编号: "T2026-01",
      任务名称: "2026年道路货运经营者双随机抽查",
      年度: "2026",
      事项编码: "JT-HY-001",
      开始日期: "2026-03-01",
      结束日期: "2026-12-15",
      "高风险比例(%)": "30",
      每户检查人数: "2",
    },
    {
      任务编号: "T2026-02",
      任务名称: "2026年道路客运企业安全生产联合抽查",
      年度: "2026",
      事项编码: "JT-KY-001",
      开始日期: "2026-04-01",
      结束日期: "2026-12-15",
      每户检查人数: "2",
      联合单位: `${DEMO_UNITS[0]};${DEMO_UNITS[1]}`,
    },
    {
      任务编号: "T2026-03",
      任务名称: "2026年机动车维修经营者双随机抽查",
      年度: "2026",
      事项编码: "JT-WX-001",
      开始日期: "2026-05-01",
      结束日期: "2026-12-15",
    },
    {
      任务编号: "T2026-04",
      任务名称: "2026年危险货物道路运输专项抽查",
      年度: "2026",
      事项编码: "JT-WH-001",
      开始日期: "2026-06-01",
      结束日期: "2026-12-15",
      每户检查人数: "3",
    },
  ]);
  const holidays = csv("holidays", [
    { 日期: "2027-01-01", 类型: "休", 名称: "元旦" },
    { 日期: "2027-01-02", 类型: "休", 名称: "元旦" },
    { 日期: "2027-01-03", 类型: "休", 名称: "元旦" },
  ]);
  return {
    items,
    targets: csv("targets", targetRows),
    inspectors: csv("inspectors", inspectorRows),
    conflicts,
    holidays,
    plan,
  };
}

/** Import order: lists that others refer to come first. */
export const DEMO_IMPORT_ORDER: ImportKind[] = ["items", "targets", "inspectors", "conflicts", "holidays", "plan"];
