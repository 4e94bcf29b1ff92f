import pino from "pino";

/**
 * JSON lines on stdout. Secrets never reach a line: pino's `redact` paths catch the usual field
 * names, and every finished line is scrubbed of the known secret values wherever they occur —
 * inside nested strings too (the SDK logs an axios error whose config.data is a JSON *string*
 * holding app_secret, out of reach of any redact path).
 */

const CENSOR = "[redacted]";
const SECRET_ENV = ["LARK_APP_SECRET", "LARK_ENCRYPT_KEY", "LARK_VERIFICATION_TOKEN"] as const;
/** Shorter values would scrub ordinary words; real secrets and tokens are far longer. */
const MIN_SECRET_LENGTH = 6;

const secrets = new Set<string>();
let pattern: RegExp | null = null;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A value as it appears in a line: raw, JSON-escaped once (a string field), twice (a JSON string inside a string). */
const forms = (v: string) => {
  const once = JSON.stringify(v).slice(1, -1);
  return [v, once, JSON.stringify(once).slice(1, -1)];
};

/** Adds a value that must never be logged (an access token the SDK obtained, a configured secret). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  const all = [...new Set([...secrets].flatMap(forms))].sort((a, b) => b.length - a.length);
  pattern = new RegExp(all.map(escapeRegExp).join("|"), "g");
}

/** Replaces every known secret value, and any bearer credential, in one serialized log line. */
function scrubSecrets(line: string): string {
  const out = pattern ? line.replace(pattern, CENSOR) : line;
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, `$1${CENSOR}`);
}

/**
 * pino's `err` serializer (type, message, stack, causes), minus what an SDK (axios) error drags
 * along: its request config and socket (the token, the body, thousands of lines). Its status and
 * Feishu's answer are kept.
 */
function errSerializer(e: unknown): unknown {
  const out = pino.stdSerializers.err(e as Error) as unknown as Record<string, unknown>;
  const axios = e as { isAxiosError?: boolean; response?: { status?: number; data?: unknown } } | null;
  if (!axios?.isAxiosError) return out;
  const data = axios.response?.data as { code?: unknown; msg?: unknown } | undefined; // a stream for downloads
  return {
    type: out["type"],
    message: out["message"],
    stack: out["stack"],
    code: out["code"],
    status: axios.response?.status,
    feishu: data && typeof data === "object" && "code" in data ? { code: data.code, msg: data.msg } : undefined,
  };
}

export function createLogger(
  level: string,
  opts: { env?: NodeJS.ProcessEnv; destination?: pino.DestinationStream } = {},
): pino.Logger {
  const env = opts.env ?? process.env;
  for (const name of SECRET_ENV) registerSecret(env[name]?.trim());
  const options: pino.LoggerOptions = {
    level,
    base: { app: "double-random-bot" },
    redact: {
      paths: [
        "appSecret",
        "encryptKey",
        "token",
        "serverSeed",
        "*.appSecret",
        "*.encryptKey",
        "*.token",
        "*.serverSeed",
        "headers.authorization",
        "*.headers.authorization",
      ],
      censor: CENSOR,
    },
    serializers: { err: errSerializer },
    hooks: { streamWrite: scrubSecrets },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

export type Logger = pino.Logger;
