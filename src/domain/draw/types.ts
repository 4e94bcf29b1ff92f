/** The published draw record (interface.md §6, version 1) and its parts. */

export const STRATA = ["低", "中", "高"] as const;
export type Stratum = (typeof STRATA)[number];
export const ALGORITHM = "drbot-draw/1";

export interface PoolTarget {
  id: string; // 统一社会信用代码
  stratum: Stratum; // 风险等级
}

export interface PoolInspector {
  id: string; // 执法证号
  unit: string;
  specialties: string[];
}

export interface Pool {
  targets: PoolTarget[]; // sorted by id
  inspectors: PoolInspector[]; // sorted by id
  conflicts: [inspectorId: string, targetId: string][]; // sorted
  previousAssignments: [targetId: string, inspectorId: string][]; // sorted
}

export interface DrawParams {
  perStratum: Partial<Record<Stratum, number>>;
  inspectorsPerTarget: number;
  requiredSpecialty: string | null;
  jointUnits: string[];
  algorithm: typeof ALGORITHM;
}

export interface TaskRef {
  code: string;
  name: string;
  itemCode: string;
  year: number;
}

export interface SelectedTarget {
  id: string;
  stratum: Stratum;
  ticket: string;
}

export interface TeamAssignment {
  targetId: string;
  inspectorIds: string[];
}

/** A soft rule that had to give way, recorded so that nobody has to take it on trust. */
export interface Relaxation {
  kind: "previous-pair";
  targetId: string;
  inspectorId: string;
}

export interface Selection {
  targets: SelectedTarget[]; // strata in STRATA order, each in ticket order
  assignments: TeamAssignment[]; // same order as targets
  alternates: Partial<Record<Stratum, string[]>>; // the rest of each stratum, ticket order
  relaxations: Relaxation[];
}

export interface Witness {
  openId: string;
  entropy: string;
  at: string;
}

export interface Amendment {
  /** recusal: the inspector asked and a 领导 approved; withdrawal: the inspector left (离岗) after the draw. Replayed alike. */
  kind: "recusal" | "withdrawal";
  inspectorId: string;
  targetId: string;
  replacementId: string;
  at: string;
}

/** What is published before the witness acts: the frozen pool and params, and the commitment. */
export interface Commitment {
  version: 1;
  drawId: string;
  task: TaskRef;
  pool: Pool;
  params: DrawParams;
  poolHash: string;
  paramsHash: string;
  commitment: string;
  committedAt: string;
}

export interface DrawRecord extends Commitment {
  serverSeed: string;
  witness: Witness;
  seed: string;
  selection: Selection;
  amendments: Amendment[];
}
