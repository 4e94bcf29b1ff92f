import { WorkCalendar } from "../domain/calendar";
import type { DbOrTx } from "./db";

/** The working-day calendar with the bureau's imported 节假日安排 applied. */
export async function loadCalendar(db: DbOrTx): Promise<WorkCalendar> {
  return new WorkCalendar(
    (await db.holiday.findMany()).map((h) => ({ date: h.date, kind: h.kind === "班" ? "班" : "休" })),
  );
}
