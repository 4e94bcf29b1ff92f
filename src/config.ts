import { z } from "zod";
import { AppError } from "./domain/errors";
import { sqliteFile } from "./store/db";

/** Every environment variable the product reads (interface.md §2), validated in one place. */
const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();

const envSchema = z.object({
  LARK_APP_ID: optionalText,
  LARK_APP_SECRET: optionalText,
  LARK_ENCRYPT_KEY: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_DOMAIN: z
    .string()
    .trim()
    .default("https://open.feishu.cn")
    .refine((s) => s === "feishu" || s === "lark" || /^https?:\/\/[^\s/]+/.test(s), "应为 feishu、lark 或 http(s):// 开头的地址 / must be feishu, lark or an http(s) URL"),
  LARK_MODE: z.enum(["webhook", "ws"]).default("webhook"),
  DATABASE_URL: z.string().trim().default("file:./data/bot.db"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().default("0.0.0.0"),
  BOT_ADMIN_OPEN_IDS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(/[,，]/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  LARK_ANNOUNCE_CHAT_ID: optionalText,
  LARK_LEGAL_CHAT_ID: optionalText,
  TZ_BUREAU: z
    .string()
    .trim()
    .default("Asia/Shanghai")
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "不是有效的时区名 / not a valid IANA time zone"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** 检查实施机关 in exports and cards; unset → the export's column stays empty and the operator is told. */
  BUREAU_NAME: optionalText,
  PUBLICITY_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(20),
  /** Pins the bureau date (tests, training, outside checkers); the real instant still runs. */
  DRBOT_TODAY: optionalText.refine((v) => v === undefined || /^\d{4}-\d{2}-\d{2}$/.test(v), "应为 YYYY-MM-DD / must be YYYY-MM-DD"),
});

export type Config = z.output<typeof envSchema> & {
  /** Credentials present → the real bot; absent → sandbox. */
  sandbox: boolean;
  larkDomain: string;
};

const DOMAINS: Record<string, string> = { feishu: "https://open.feishu.cn", lark: "https://open.larksuite.com" };

/** Parses the environment; a bad value is an AppError naming the variable in Chinese and English. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new AppError("BAD_CONFIG", `配置错误 / invalid configuration:\n${lines.join("\n")}`, { variables: parsed.error.issues.map((i) => i.path[0]) });
  }
  const c = parsed.data;
  if (Boolean(c.LARK_APP_ID) !== Boolean(c.LARK_APP_SECRET)) {
    const missing = c.LARK_APP_ID ? "LARK_APP_SECRET" : "LARK_APP_ID";
    throw new AppError("BAD_CONFIG", `配置错误 / invalid configuration:\n${missing}: LARK_APP_ID 与 LARK_APP_SECRET 须同时设置 / both must be set`);
  }
  try {
    sqliteFile(c.DATABASE_URL);
  } catch (e) {
    throw new AppError("BAD_CONFIG", `配置错误 / invalid configuration:\nDATABASE_URL: ${(e as Error).message}`);
  }
  return { ...c, sandbox: !c.LARK_APP_ID, larkDomain: DOMAINS[c.LARK_DOMAIN] ?? c.LARK_DOMAIN.replace(/\/+$/, "") };
}

/** Extra rules for running the real bot over webhooks: some proof of origin is mandatory. */
export function assertServerConfig(c: Config): void {
  if (!c.sandbox && c.LARK_MODE === "webhook" && !c.LARK_ENCRYPT_KEY && !c.LARK_VERIFICATION_TOKEN) {
    throw new AppError(
      "BAD_CONFIG",
      "配置错误 / invalid configuration:\nLARK_ENCRYPT_KEY / LARK_VERIFICATION_TOKEN: webhook 模式下至少设置其一，否则无法校验请求来源 / webhook mode needs at least one of them",
    );
  }
}
