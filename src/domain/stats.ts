import type { Stratum } from "./draw/types";
import type { PublicityRate } from "./publicity";
import { formatBp } from "./results";

/** The year's statistics (统计): coverage per item and risk level, publicity, problems, follow-ups, inspector load. */
export interface Coverage {
  poolSize: number;
  drawn: number;
  /** drawn ÷ pool, basis points rounded half-up; null for an empty pool. */
  coverageBp: number | null;
}

export interface RiskCoverage extends Coverage {
  risk: Stratum;
}

export interface ItemCoverage extends Coverage {
  itemCode: string;
  itemName: string;
  category: string;
  ratioBp: number;
  meetsRatio: boolean;
  meetsMinimum: boolean;
  byRisk: RiskCoverage[];
}

export interface TaskPublicity extends PublicityRate {
  taskCode: string;
  taskName: string;
  confirmed: number;
}

export interface Stats {
  year: number;
  today: string;
  items: ItemCoverage[];
  /** Every item of the year's plan together, per risk level. */
  byRisk: RiskCoverage[];
  confirmed: number;
  /** The year's publicity rate (spec §9) and its parts. */
  publicity: PublicityRate;
  publicityByTask: TaskPublicity[];
  published: number;
  publicityRateBp: number | null;
  overduePublicity: number;
  problems: number;
  problemRateBp: number | null;
  openFollowUps: number;
  overdueFollowUps: number;
  load: {
    inspectors: number;
    min: number;
    max: number;
    total: number;
    perInspector: { certNo: string; name: string; count: number }[];
  };
}

/** 「公示率 x%（按期公示 a / (已公示 b + 逾期未公示 c)）」 */
export const publicityText = (p: PublicityRate) =>
  `${formatBp(p.rateBp)}（按期公示 ${p.onTime} ÷（已公示 ${p.published} + 逾期未公示 ${p.overdue}），另有未到期待公示 ${p.pending} 条）`;
