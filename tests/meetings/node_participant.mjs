// A participant using the official socket.io-client under Node: joins a meeting and prints,
// one JSON line each, the snapshot version and every event it receives until the meeting closes.
// Usage: node node_participant.mjs BASE_URL MEETING_ID   (cookie and user agent on stdin as JSON)
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.EOFFICE_NODE_MODULES + "/");
const { io } = require("socket.io-client");
const [baseUrl, meetingId] = process.argv.slice(2);
const auth = JSON.parse(readFileSync(0, "utf8"));
const out = (record) => process.stdout.write(JSON.stringify(record) + "\n");

const socket = io(`${baseUrl}/meeting`, {
  transports: ["websocket"],
  extraHeaders: { Cookie: auth.cookie, "User-Agent": auth.user_agent },
  reconnection: false,
});
socket.on("connect_error", (error) => { out({ kind: "connect_error", message: error.message }); process.exit(2); });
socket.on("connect", () => {
  socket.emit("join", { meeting_id: Number(meetingId) }, (reply) => {
    out({ kind: "joined", ok: reply.ok, version: reply.ok ? reply.snapshot.version : null,
          transport: socket.io.engine.transport.name });
  });
});
socket.on("change", (change) => {
  out({ kind: "change", data: change });
  if (change.patch.status === "closed") { socket.close(); process.exit(0); }
});
socket.on("poll_progress", (data) => out({ kind: "poll_progress", data }));
socket.on("command_error", (data) => out({ kind: "command_error", data }));
setTimeout(() => { out({ kind: "timeout" }); process.exit(3); }, 60000);
