import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { FakeFeishu, FakeRequest } from "./fakeFeishu";

/**
 * The long connection (LARK_MODE=ws): the SDK's endpoint discovery, and just enough of a WebSocket
 * server for WSClient to connect (RFC 6455 handshake); the client's pings are read and ignored.
 * Events over the long connection are not emulated.
 */

/** POST /callback/ws/endpoint: app credentials in the body, no token. */
export function longConnectionRoutes(fake: FakeFeishu, r: FakeRequest): boolean {
  if (r.method !== "POST" || r.path !== "/callback/ws/endpoint") return false;
  if (r.body["AppID"] !== fake.opts.appId || r.body["AppSecret"] !== fake.opts.appSecret)
    r.send(200, { code: 514, msg: "auth failed", data: {} });
  else if (fake.wsEndpoint === "refuse")
    r.send(200, { code: 403, msg: "long connection is not enabled for this app", data: {} });
  else
    r.send(200, {
      code: 0,
      msg: "ok",
      data: {
        URL: `${fake.baseUrl.replace(/^http/, "ws")}/ws?device_id=fake-device&service_id=1`,
        ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
      },
    });
  return true;
}

/** The HTTP upgrade to a WebSocket on /ws, while the endpoint accepts. */
export function upgradeLongConnection(fake: FakeFeishu, req: IncomingMessage, socket: Duplex): void {
  const key = req.headers["sec-websocket-key"];
  if (
    fake.wsEndpoint !== "accept" ||
    !new URL(req.url ?? "/", "http://fake").pathname.startsWith("/ws") ||
    typeof key !== "string"
  ) {
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    return;
  }
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  fake.wsSockets.add(socket);
  socket.on("data", () => {});
  socket.on("error", () => {});
  socket.on("close", () => fake.wsSockets.delete(socket));
}
