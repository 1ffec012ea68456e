// The reference: a minimal Node socket.io server with the same events the driver uses
// (join with a snapshot, present broadcast to the room, polls with once-only ballots).
// Usage: node meeting_fanout_reference.mjs PORT NODE_MODULES
import { createRequire } from "node:module";
import { createServer } from "node:http";

const [port, nodeModules] = process.argv.slice(2);
const require = createRequire(nodeModules + "/");
const { Server } = require("socket.io");

const http = createServer((req, res) => { res.writeHead(200); res.end("ok"); });
const io = new Server(http, { transports: ["websocket"] });
const meetings = new Map();
const meetingOf = (id) => {
  if (!meetings.has(id)) meetings.set(id, { version: 0, presenter: null, polls: new Map() });
  return meetings.get(id);
};
let nextPoll = 1;

io.of("/meeting").on("connection", (socket) => {
  let meetingId = null;
  socket.on("join", (payload, ack) => {
    meetingId = payload.meeting_id;
    socket.join(`meeting:${meetingId}`);
    const m = meetingOf(meetingId);
    ack({ ok: true, snapshot: { version: m.version, presenter: m.presenter, polls: Object.fromEntries(m.polls) } });
  });
  const change = (patch) => {
    const m = meetingOf(meetingId);
    m.version += 1;
    io.of("/meeting").to(`meeting:${meetingId}`).emit("change", { meeting_id: meetingId, version: m.version, patch, server_time: Date.now() / 1000 });
    return m.version;
  };
  socket.on("present", (payload, ack) => {
    meetingOf(meetingId).presenter = payload;
    ack({ ok: true, version: change({ presenter: payload }) });
  });
  socket.on("snapshot", (_payload, ack) => {
    const m = meetingOf(meetingId);
    ack({ ok: true, snapshot: { version: m.version, polls: Object.fromEntries([...m.polls].map(([id, p]) => [id, { ...p, voters: undefined }])) } });
  });
  socket.on("create_poll", (payload, ack) => {
    const id = nextPoll++;
    meetingOf(meetingId).polls.set(id, { id, question: payload.question, state: "draft", voted: 0, result: [0, 0, 0], voters: new Set() });
    ack({ ok: true, version: change({}) });
  });
  socket.on("open_poll", (payload, ack) => { meetingOf(meetingId).polls.get(payload.poll_id).state = "open"; ack({ ok: true, version: change({}) }); });
  socket.on("close_poll", (payload, ack) => { meetingOf(meetingId).polls.get(payload.poll_id).state = "closed"; ack({ ok: true, version: change({}) }); });
  socket.on("vote", (payload, ack) => {
    const poll = meetingOf(meetingId).polls.get(payload.poll_id);
    if (!poll || poll.state !== "open") { ack({ ok: false, error: "poll_closed" }); return; }
    if (poll.voters.has(socket.id)) { ack({ ok: true, duplicate: true, voted: poll.voted }); return; }
    poll.voters.add(socket.id);
    poll.voted += 1;
    poll.result[payload.choice] += 1;
    ack({ ok: true, duplicate: false, voted: poll.voted });
  });
});
http.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"));
