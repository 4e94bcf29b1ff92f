import type { FakeFeishu, FakeRequest } from "./fakeFeishu";

/** The simulated bot/contact/chat API: who the bot is, users by mobile, a chat's members. */
export function directoryRoutes(fake: FakeFeishu, r: FakeRequest): boolean {
  if (r.method === "GET" && r.path === "/open-apis/bot/v3/info") {
    r.send(200, {
      code: 0,
      msg: "ok",
      bot: { activate_status: 2, app_name: "双随机助手", avatar_url: "", ip_white_list: [], open_id: fake.botOpenId },
    });
    return true;
  }

  if (r.method === "POST" && r.path === "/open-apis/contact/v3/users/batch_get_id") {
    const mobiles = (r.body["mobiles"] as string[] | undefined) ?? [];
    const found = [...fake.users.values()];
    r.send(200, {
      code: 0,
      msg: "success",
      data: {
        user_list: mobiles
          .map((mobile) => ({ mobile, user_id: found.find((u) => u.mobile === mobile)?.openId }))
          .map((u) => (u.user_id ? u : { mobile: u.mobile })),
      },
    });
    return true;
  }

  const members = /^\/open-apis\/im\/v1\/chats\/([^/]+)\/members$/.exec(r.path);
  if (r.method === "GET" && members) {
    const chat = fake.chats.get(members[1]!);
    if (!chat || !chat.botIn) {
      r.send(400, { code: 232011, msg: "operator not in chat" });
      return true;
    }
    const items = [...chat.members].map((id) => ({
      member_id_type: "open_id",
      member_id: id,
      name: fake.users.get(id)?.name ?? id,
      tenant_key: "fake",
    }));
    r.send(200, {
      code: 0,
      msg: "success",
      data: { items, page_token: "", has_more: false, member_total: items.length },
    });
    return true;
  }
  return false;
}
