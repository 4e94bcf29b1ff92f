import * as lark from "@larksuiteoapi/node-sdk";
import type { Config } from "../config";
import { registerSecret, type Logger } from "../logger";

/** The SDK logs every failed request itself; send that to our JSON log at debug level (we log outcomes). */
export function sdkLogger(logger?: Logger) {
  const to =
    (level: "debug" | "trace") =>
    (...msg: unknown[]) =>
      logger?.[level]({ sdk: msg.map((m) => (m instanceof Error ? m.message : m)) }, "lark sdk");
  return { error: to("debug"), warn: to("debug"), info: to("trace"), debug: to("trace"), trace: to("trace") };
}

/**
 * The one way the product talks to Feishu: the official SDK, pointed at LARK_DOMAIN (a private
 * deployment or, in tests, the fake Open Platform). The SDK's default HTTP instance has no timeout,
 * so a hung Feishu would hang the caller; give it one. Each client keeps its own token cache: the
 * SDK's default cache is one per process keyed by app id, so a second client for the same app id
 * (the sandbox restarted in one process, against a new simulated platform) would reuse a token
 * the new platform never issued and be refused (99991663) until it expired.
 */
export function createLarkClient(
  config: Pick<Config, "LARK_APP_ID" | "LARK_APP_SECRET" | "larkDomain">,
  logger?: Logger,
): lark.Client {
  if (!config.LARK_APP_ID || !config.LARK_APP_SECRET)
    throw new Error("createLarkClient: no app credentials (sandbox mode)");
  lark.defaultHttpInstance.defaults.timeout = 15_000;
  registerSecret(config.LARK_APP_SECRET);
  watchTokens();
  return new lark.Client({
    appId: config.LARK_APP_ID,
    appSecret: config.LARK_APP_SECRET,
    domain: config.larkDomain,
    loggerLevel: lark.LoggerLevel.error,
    logger: sdkLogger(logger),
    cache: tokenCache(),
  });
}

/** The SDK's cache contract (get/set with an optional namespace and an absolute expiry in ms), in memory. */
function tokenCache(): NonNullable<ConstructorParameters<typeof lark.Client>[0]["cache"]> {
  const values = new Map<string, { value: unknown; expiredTime?: number }>();
  const keyOf = (key: string | symbol, namespace?: string) => `${namespace ?? ""}/${key.toString()}`;
  return {
    get: async (key, options) => {
      const hit = values.get(keyOf(key as string | symbol, options?.namespace));
      return hit && (!hit.expiredTime || hit.expiredTime > Date.now()) ? hit.value : undefined;
    },
    set: async (key, value, expiredTime, options) => {
      values.set(keyOf(key as string | symbol, options?.namespace), { value, expiredTime });
      return true;
    },
  };
}

let watching = false;
/** Every access token the SDK obtains becomes a secret the logger scrubs (it sits in Authorization headers of logged errors). */
function watchTokens(): void {
  if (watching) return;
  watching = true;
  lark.defaultHttpInstance.interceptors.response.use((res: unknown) => {
    const body = (
      res && typeof res === "object" && "data" in res && !("tenant_access_token" in res)
        ? (res as { data: unknown }).data
        : res
    ) as Record<string, unknown> | null;
    if (body && typeof body === "object") {
      for (const k of ["tenant_access_token", "app_access_token"])
        if (typeof body[k] === "string") registerSecret(body[k] as string);
    }
    return res as never;
  });
}
