import type * as lark from "@larksuiteoapi/node-sdk";
import { AppError } from "../domain/errors";
import { callFeishu, FeishuApiError } from "./feishuError";

/** Resolves mobiles to Feishu open_ids (contact API batch_get_id); null when no Feishu app is configured. */
export interface ContactDirectory {
  resolveMobiles(mobiles: string[]): Promise<Map<string, string>>;
}

const BATCH = 50; // batch_get_id accepts at most 50 mobiles per call

/** Mobile → open_id through the contact API (batch_get_id); users outside the app's range are absent. */
export function larkContactDirectory(client: lark.Client): ContactDirectory {
  return {
    async resolveMobiles(mobiles) {
      const found = new Map<string, string>();
      for (let k = 0; k < mobiles.length; k += BATCH) {
        let res: Awaited<ReturnType<typeof client.contact.v3.user.batchGetId>>;
        try {
          res = await callFeishu("contact.v3.user.batchGetId", () =>
            client.contact.v3.user.batchGetId({
              params: { user_id_type: "open_id" },
              data: { mobiles: mobiles.slice(k, k + BATCH), include_resigned: false },
            }),
          );
        } catch (e) {
          const err = e as FeishuApiError;
          throw new AppError(
            "CONTACT_LOOKUP_FAILED",
            `飞书通讯录查询失败（${err.code ?? "网络错误"}：${err.msg}），未导入任何数据`,
            {},
            { cause: err },
          );
        }
        for (const u of res.data?.user_list ?? [])
          if (u.mobile && u.user_id) found.set(u.mobile.replace(/^\+86/, ""), u.user_id); // echoed as sent, sometimes with +86
      }
      return found;
    },
  };
}
