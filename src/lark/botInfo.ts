import type * as lark from "@larksuiteoapi/node-sdk";
import { AppError } from "../domain/errors";
import type { Logger } from "../logger";
import { FeishuApiError } from "./feishuError";

const API = "bot.v3.info";

/** Reads this bot's open_id once (GET /open-apis/bot/v3/info through the SDK's request, which adds the tenant token). */
async function readBotOpenId(client: lark.Client): Promise<string> {
  const r = (await client
    .request({ url: "/open-apis/bot/v3/info", method: "GET" })
    .catch((e: unknown) => Promise.reject(FeishuApiError.from(e, API)))) as {
    code?: number;
    msg?: string;
    bot?: { open_id?: string };
  };
  if (r?.code !== undefined && r.code !== 0) throw new FeishuApiError(API, r.code, r.msg ?? "", 200);
  if (!r?.bot?.open_id) throw new FeishuApiError(API, r?.code, "answered without open_id", 200);
  return r.bot.open_id;
}

/** The cause of an SDK failure in one line, without request config (which can hold secrets). */
function causeOf(e: unknown): string {
  const err = FeishuApiError.from(e, API);
  if (err.code !== undefined) return `HTTP ${err.httpStatus ?? "?"}, code ${err.code}: ${err.msg}`;
  return err.msg;
}

/**
 * Start-up needs the bot's own open_id (in a group only a mention of it counts). Feishu may be
 * briefly unreachable: retry with back-off for up to `windowMs`, then fail naming the cause.
 */
export async function fetchBotOpenId(
  client: lark.Client,
  opts: { logger?: Logger; windowMs?: number; firstDelayMs?: number } = {},
): Promise<string> {
  const windowMs = opts.windowMs ?? 60_000;
  const deadline = Date.now() + windowMs;
  let delay = opts.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readBotOpenId(client);
    } catch (e) {
      const cause = causeOf(e);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new AppError(
          "BOT_INFO",
          `启动失败：${Math.round(windowMs / 1000)} 秒内无法从飞书读取机器人信息（/open-apis/bot/v3/info），原因：${cause}。请检查 LARK_APP_ID / LARK_APP_SECRET / LARK_DOMAIN 与网络，并确认应用已启用机器人能力 / could not read the bot's open_id: ${cause}`,
          {},
          { cause: FeishuApiError.from(e, API) },
        );
      }
      opts.logger?.warn(
        { attempt, cause, retryInMs: Math.min(delay, left) },
        "could not read the bot's open_id from Feishu; retrying",
      );
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}
