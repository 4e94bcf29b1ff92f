import type { Bot } from "../../bot/bot";
import { register as registerDigest } from "./digest";
import { register as registerReminders } from "./reminders";
import { register as registerSummary } from "./summary";

/** The §9 jobs (digest, reminders, summary) and the 督办 command. */
export function register(bot: Bot): void {
  registerDigest(bot);
  registerReminders(bot);
  registerSummary(bot);
}
