import { z } from "zod";
import { AppError } from "./domain/errors";
import { sqliteFile } from "./store/sqliteFile";

/** Every environment variable the product reads (interface.md §2), validated in one place. */
const optionalText = z
  .string()
  .trim()
  .transform((s) => (s === "" ? undefined : s))
  .optional();

const envSchema = z.object({
  // Not optionalText: an empty LARK_APP_ID= is a mistake, never a request for the sandbox (checked below).
  LARK_APP_ID: z.string().trim().optional(),
  LARK_APP_SECRET: optionalText,
  LARK_ENCRYPT_KEY: optionalText,
  LARK_VERIFICATION_TOKEN: optionalText,
  LARK_DOMAIN: z
    .string()
    .trim()
    .default("https://open.feishu.cn")
    .refine(
      (s) => s === "feishu" || s === "lark" || /^https?:\/\/[^\s/]+/.test(s),
      "应为 feishu、lark 或 http(s):// 开头的地址 / must be feishu, lark or an http(s) URL",
    ),
  LARK_MODE: z.enum(["webhook", "ws"]).default("webhook"),
  // Defaults depend on the mode (see loadConfig): the sandbox never writes into production's file.
  DATABASE_URL: optionalText,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalText,
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
  /** Bureau-local time of the daily jobs (interface.md §9). */
  JOBS_AT: z
    .string()
    .trim()
    .default("09:00")
    .refine((v) => /^([01]\d|2[0-3]):[0-5]\d$/.test(v), "应为 HH:MM（24 小时制）/ must be HH:MM"),
  /** 检查实施机关 in exports and cards; unset → the export's column stays empty and the operator is told. */
  BUREAU_NAME: optionalText,
  PUBLICITY_WORKING_DAYS: z.coerce.number().int().min(1).max(60).default(20),
  /** Import limits (interface.md §2): a larger file, or a sheet past the rows limit or 100 columns, is refused before it is parsed. */
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(67_108_864),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
  /** Pins the bureau date (tests, training, outside checkers); the real instant still runs. */
  DRBOT_TODAY: optionalText.refine(
    (v) => v === undefined || /^\d{4}-\d{2}-\d{2}$/.test(v),
    "应为 YYYY-MM-DD / must be YYYY-MM-DD",
  ),
});

export type Config = Omit<z.output<typeof envSchema>, "DATABASE_URL" | "HOST"> & {
  DATABASE_URL: string;
  HOST: string;
  /** Credentials present → the real bot; absent → sandbox. */
  sandbox: boolean;
  larkDomain: string;
};

const PRODUCTION_DATABASE_URL = "file:./data/bot.db";
const SANDBOX_DATABASE_URL = "file:./data/sandbox.db";

const DOMAINS: Record<string, string> = { feishu: "https://open.feishu.cn", lark: "https://open.larksuite.com" };

/** Parses the environment; a bad value is an AppError naming the variable in Chinese and English. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new AppError("BAD_CONFIG", `配置错误 / invalid configuration:\n${lines.join("\n")}`, {
      variables: parsed.error.issues.map((i) => i.path[0]),
    });
  }
  const c = parsed.data;
  if (c.LARK_APP_ID === "") {
    throw new AppError(
      "BAD_CONFIG",
      "配置错误 / invalid configuration:\nLARK_APP_ID: 已设置但为空；要运行沙盒请删除该变量 / set but empty (unset it to run the sandbox)",
      { variables: ["LARK_APP_ID"] },
    );
  }
  if (Boolean(c.LARK_APP_ID) !== Boolean(c.LARK_APP_SECRET)) {
    const missing = c.LARK_APP_ID ? "LARK_APP_SECRET" : "LARK_APP_ID";
    throw new AppError(
      "BAD_CONFIG",
      `配置错误 / invalid configuration:\n${missing}: LARK_APP_ID 与 LARK_APP_SECRET 须同时设置 / both must be set`,
    );
  }
  const sandbox = c.LARK_APP_ID === undefined;
  const DATABASE_URL = c.DATABASE_URL ?? (sandbox ? SANDBOX_DATABASE_URL : PRODUCTION_DATABASE_URL);
  // The sandbox lets anyone act as anyone: loopback unless HOST says otherwise.
  const HOST = c.HOST ?? (sandbox ? "127.0.0.1" : "0.0.0.0");
  try {
    sqliteFile(DATABASE_URL);
  } catch (e) {
    throw new AppError("BAD_CONFIG", `配置错误 / invalid configuration:\nDATABASE_URL: ${(e as Error).message}`);
  }
  return { ...c, DATABASE_URL, HOST, sandbox, larkDomain: DOMAINS[c.LARK_DOMAIN] ?? c.LARK_DOMAIN.replace(/\/+$/, "") };
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

/** The import limits of a configuration. */
export const importLimits = (c: Partial<Pick<Config, "IMPORT_MAX_BYTES" | "IMPORT_MAX_ROWS">>) => ({
  maxBytes: c.IMPORT_MAX_BYTES ?? 67_108_864,
  maxRows: c.IMPORT_MAX_ROWS ?? 200_000,
});
