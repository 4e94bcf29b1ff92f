import pino from "pino";

/** JSON lines on stdout. Secrets are redacted wherever they might appear in a logged object. */
export function createLogger(level: string): pino.Logger {
  return pino({
    level,
    base: { app: "double-random-bot" },
    redact: {
      paths: ["appSecret", "encryptKey", "token", "serverSeed", "*.appSecret", "*.encryptKey", "*.token", "*.serverSeed", "headers.authorization", "*.headers.authorization"],
      censor: "[redacted]",
    },
  });
}

export type Logger = pino.Logger;
