/**
 * A refusal or failure of one Feishu Open Platform call. Feishu answers some failures with HTTP 200
 * and a non-zero `code`, others with a 4xx/5xx that the SDK (axios) throws; both become this one
 * type, so callers read `err.code` instead of digging through `response.data`. It holds no request
 * config or headers (they carry the tenant token), so it is safe to log as `{ err }`.
 */
export class FeishuApiError extends Error {
  override readonly name = "FeishuApiError";

  constructor(
    /** Which call, e.g. "im.v1.message.create". */
    readonly api: string,
    /** Feishu's numeric code; undefined when no Feishu answer came back (network, timeout, a bare 5xx). */
    readonly code: number | undefined,
    /** Feishu's msg, else the transport's error message. */
    readonly msg: string,
    readonly httpStatus?: number,
    /** From `x-ogw-ratelimit-reset` (429 / 99991400): when Feishu says to come back. */
    readonly retryAfterMs?: number,
  ) {
    super(`${api}: ${code ?? httpStatus ?? "network"}: ${msg}`);
  }

  /** A rate limit: per chat/user (230020) or the gateway's (429 / 99991400). */
  get throttled(): boolean {
    return this.code === 230020 || this.code === 99991400 || this.httpStatus === 429;
  }

  /** `code: msg` as recorded on an outbox row and told to admins. */
  get label(): string {
    return `${this.code ?? this.httpStatus ?? "network"}: ${this.msg}`;
  }

  /** From whatever an SDK call threw (an AxiosError with or without Feishu's body, a timeout…). */
  static from(e: unknown, api: string): FeishuApiError {
    if (e instanceof FeishuApiError) return e;
    const err = e as {
      response?: { status?: number; data?: { code?: number; msg?: string }; headers?: Record<string, string> };
      message?: string;
    } | null;
    const data = err?.response?.data;
    const reset = Number(err?.response?.headers?.["x-ogw-ratelimit-reset"]);
    return new FeishuApiError(
      api,
      typeof data?.code === "number" ? data.code : undefined,
      data?.msg ?? err?.message ?? String(e),
      err?.response?.status,
      Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined,
    );
  }

  /** A response body that came back with HTTP 200: throws unless its code is 0. */
  static check<T extends { code?: number; msg?: string }>(res: T, api: string): T {
    if (res?.code !== 0) throw new FeishuApiError(api, res?.code, res?.msg ?? "", 200);
    return res;
  }
}

/** Runs one SDK call; anything it throws, or a non-zero code it answers with, becomes a FeishuApiError. */
export async function callFeishu<T extends { code?: number; msg?: string }>(
  api: string,
  call: () => Promise<T>,
): Promise<T> {
  let res: T;
  try {
    res = await call();
  } catch (e) {
    throw FeishuApiError.from(e, api);
  }
  return FeishuApiError.check(res, api);
}
