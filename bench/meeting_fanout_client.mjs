// Benchmark driver for bench/meeting_fanout.py: N participants and a chair, all official
// socket.io-client connections in this one Node process (one clock for send and receive).
// Reads its configuration as JSON on stdin, prints one JSON object with the measurements.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import net from "node:net";
import { randomBytes } from "node:crypto";

const config = JSON.parse(readFileSync(0, "utf8"));
const require = createRequire(config.node_modules + "/");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = (message) => { process.stdout.write(JSON.stringify({ error: message }) + "\n"); process.exit(1); };

const urls = config.urls || [config.url];
let nextUrl = 0;

// Three ways to be a participant (config.client). "official": socket.io-client, as the
// browser runs it. "raw" (default) and "ws": the same Engine.IO 4 / Socket.IO 5 protocol
// spoken directly, over a bare TCP WebSocket or over the `ws` package. A real participant
// runs on its own device; here 500 of them share this process and the servers' two cores,
// so whatever the driver spends per message is taken from the servers and counted as their
// latency (the driver prints its own CPU per change). Both servers meet the same driver.
function connectOfficial(url, cookie) {
  const { io } = require("socket.io-client");
    return new Promise((resolve, reject) => {
    const socket = io(`${url}/meeting`, {
      transports: ["websocket"], forceNew: true, reconnection: false,
      extraHeaders: { Cookie: cookie, "User-Agent": config.user_agent }, timeout: 60000,
    });
    const client = {
      on: (event, fn) => socket.on(event, fn),
      call: (event, payload) => new Promise((res, rej) => {
        socket.timeout(30000).emit(event, payload, (err, reply) => (err ? rej(err) : res(reply)));
      }),
      close: () => socket.close(),
    };
    socket.once("connect", () => resolve(client));
    socket.once("connect_error", reject);
  });
}

const NSP = "/meeting,";

// A WebSocket client over a bare TCP socket: the handshake, unmasked server frames in, masked
// client frames out (RFC 6455). What a participant costs this process is then little more
// than the kernel's read; `ws` adds a stream, events and buffers per message.
function rawWebSocket(url, headers, onText, onError, onClose) {
  const { hostname, port } = new URL(url);
  const sock = net.connect({ host: hostname, port: Number(port) });
  sock.setNoDelay(true);
  let buffer = null;
  let upgraded = false;
  const writeFrame = (opcode, payload) => {
    const size = payload.length;
    const head = size < 126 ? 2 : size < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(head + 4 + size);
    frame[0] = 0x80 | opcode;
    if (size < 126) frame[1] = 0x80 | size;
    else if (size < 65536) { frame[1] = 0x80 | 126; frame.writeUInt16BE(size, 2); }
    else { frame[1] = 0x80 | 127; frame.writeBigUInt64BE(BigInt(size), 2); }
    const mask = randomBytes(4);
    mask.copy(frame, head);
    for (let i = 0; i < size; i++) frame[head + 4 + i] = payload[i] ^ mask[i & 3];
    sock.write(frame);
  };
  sock.on("connect", () => {
    const lines = [`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1`, `Host: ${hostname}:${port}`,
      "Upgrade: websocket", "Connection: Upgrade", `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13", ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    sock.write(lines.join("\r\n") + "\r\n\r\n");
  });
  sock.on("error", onError);
  sock.on("close", onClose);
  sock.on("data", (chunk) => {
    buffer = buffer === null ? chunk : Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const end = buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = buffer.toString("latin1", 0, buffer.indexOf("\r\n"));
      if (!status.startsWith("HTTP/1.1 101")) { onError(new Error(status)); sock.destroy(); return; }
      upgraded = true;
      buffer = buffer.subarray(end + 4);
    }
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const first = buffer[offset];
      let size = buffer[offset + 1] & 0x7f;
      let head = 2;
      if (size === 126) { if (buffer.length - offset < 4) break; size = buffer.readUInt16BE(offset + 2); head = 4; }
      else if (size === 127) { if (buffer.length - offset < 10) break; size = Number(buffer.readBigUInt64BE(offset + 2)); head = 10; }
      if (buffer.length - offset < head + size) break;
      const start = offset + head;
      const opcode = first & 0x0f;
      if ((first & 0x80) === 0 || opcode === 0) { onError(new Error("fragmented frame")); sock.destroy(); return; }
      if (opcode === 1) onText(buffer.toString("utf8", start, start + size));
      else if (opcode === 9) writeFrame(0xa, buffer.subarray(start, start + size)); // ping → pong
      else if (opcode === 8) sock.end();
      offset = start + size;
    }
    buffer = offset === buffer.length ? null : buffer.subarray(offset);
  });
  return { send: (text) => writeFrame(1, Buffer.from(text)), close: () => sock.destroy() };
}

function wsWebSocket(url, headers, onText, onError, onClose) {
  const WebSocket = require("ws");
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`,
    { headers, perMessageDeflate: false });
  ws.on("error", onError);
  ws.on("message", (raw) => onText(raw.toString()));
  ws.on("close", onClose);
  return { send: (text) => ws.send(text), close: () => ws.close() };
}

// Engine.IO 4 / Socket.IO 5 over either WebSocket: open, join the namespace, events, acks, pongs.
function connectProtocol(url, cookie, transport) {
  const handlers = new Map();
  const pending = new Map();
  let nextId = 0;
  let socket = null;
  const client = {
    on: (event, fn) => handlers.set(event, fn),
    call: (event, payload) => new Promise((res, rej) => {
      const id = nextId++;
      const timer = setTimeout(() => { pending.delete(id); rej(new Error(`${event}: no reply`)); }, 30000);
      pending.set(id, (reply) => { clearTimeout(timer); res(reply); });
      socket.send(`42${NSP}${id}${JSON.stringify([event, payload])}`);
    }),
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    const onText = (text) => {
      if (text === "2") { socket.send("3"); return; } // Engine.IO ping → pong
      if (text[0] === "0") { socket.send(`40${NSP}`); return; } // open → join the namespace
      if (!text.startsWith(NSP, 2)) return;
      const type = text[1];
      const body = text.slice(2 + NSP.length);
      if (type === "0") resolve(client);
      else if (type === "4") reject(new Error(body));
      else if (type === "2") {
        const [event, data] = JSON.parse(body);
        const fn = handlers.get(event);
        if (fn) fn(data);
      } else if (type === "3") {
        const bracket = body.indexOf("[");
        const id = Number(body.slice(0, bracket));
        const done = pending.get(id);
        pending.delete(id);
        if (done) done(JSON.parse(body.slice(bracket))[0]);
      }
    };
    const headers = { Cookie: cookie, "User-Agent": config.user_agent };
    let closing = false;
    const onClose = () => { // the server ended the connection: say so instead of timing out
      if (!closing) fail(`a participant's connection was closed by the server`);
    };
    client.close = () => { closing = true; socket.close(); };
    socket = (transport === "ws" ? wsWebSocket : rawWebSocket)(url, headers, onText, reject, onClose);
  });
}

function connect(cookie) {
  const url = urls[nextUrl++ % urls.length]; // participants spread over the server processes
  return config.client === "official" ? connectOfficial(url, cookie) : connectProtocol(url, cookie, config.client);
}

const call = (client, event, payload) => client.call(event, payload);

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

const started = performance.now();
const chair = await connect(config.chair_cookie).catch((e) => fail(`chair connect: ${e.message}`));
const participants = await inBatches(config.participant_cookies, 50, connect).catch((e) => fail(`connect: ${e.message}`));
const joins = await inBatches([chair, ...participants], 50, (s) => call(s, "join", { meeting_id: config.meeting_id }));
if (!joins.every((r) => r.ok)) fail(`join refused: ${JSON.stringify(joins.find((r) => !r.ok))}`);
const connectSeconds = (performance.now() - started) / 1000;

// ---------------------------------------------------------------- fan-out of page changes
let expectedPage = null;
let arrived = 0;
let first = 0;
let last = 0;
let done = null;
for (const socket of participants) {
  socket.on("change", (change) => {
    const presenter = change.patch.presenter;
    if (presenter && presenter.page === expectedPage) {
      arrived += 1;
      last = performance.now();
      if (arrived === 1) first = last;
      if (arrived === participants.length && done) done();
    }
  });
}
const fanout = [];
const firstArrivals = [];
const driverCpu = []; // this process's own CPU time per change: what the driver costs
for (let i = 0; i < config.changes; i++) {
  expectedPage = 100 + i; // a page number not used before, so each change is recognisable
  arrived = 0;
  const all = new Promise((resolve) => { done = resolve; });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const reply = await call(chair, "present", { document_id: config.document_id, page: expectedPage });
  if (!reply.ok) fail(`present refused: ${reply.message}`);
  await Promise.race([all, sleep(10000)]);
  if (arrived !== participants.length) fail(`only ${arrived}/${participants.length} got page ${expectedPage}`);
  const cpu = process.cpuUsage(cpu0);
  driverCpu.push((cpu.user + cpu.system) / 1000);
  fanout.push(last - t0);
  firstArrivals.push(first - t0);
  await sleep(config.pause_ms);
}

// ---------------------------------------------------------------- ballots
let ballots = null;
if (config.ballots > 0) {
  const created = await call(chair, "create_poll", { question: "Thông qua?", secret: true });
  if (!created.ok) fail(`create_poll: ${created.message}`);
  const snapshot = await call(chair, "snapshot", {});
  const pollId = Math.max(...Object.keys(snapshot.snapshot.polls).map(Number));
  const opened = await call(chair, "open_poll", { poll_id: pollId });
  if (!opened.ok) fail(`open_poll: ${opened.message}`);
  let progressUpdates = 0;
  participants[0].on("poll_progress", () => { progressUpdates += 1; });
  const voters = participants.slice(0, config.ballots);
  const acks = [];
  const errors = [];
  const t0 = performance.now();
  await Promise.all(voters.map(async (socket, index) => {
    await sleep(Math.random() * config.ballot_window_ms);
    const sent = performance.now();
    const reply = await call(socket, "vote", { poll_id: pollId, choice: index % 3 });
    acks.push(performance.now() - sent);
    if (!reply.ok) errors.push(reply.error);
  }));
  const elapsed = (performance.now() - t0) / 1000;
  const retry = await call(voters[0], "vote", { poll_id: pollId, choice: 2 });
  await sleep(500);
  const closed = await call(chair, "close_poll", { poll_id: pollId });
  const final = await call(chair, "snapshot", {});
  const poll = final.snapshot.polls[String(pollId)];
  ballots = {
    cast: acks.length, errors, seconds: elapsed, ack_p50_ms: percentile(acks, 50),
    ack_p99_ms: percentile(acks, 99), ack_max_ms: Math.max(...acks), retry_duplicate: retry.duplicate,
    progress_updates: progressUpdates, closed: closed.ok, result: poll.result, voted: poll.voted,
  };
}

process.stdout.write(JSON.stringify({
  clients: participants.length, connect_seconds: connectSeconds, fanout_ms: fanout,
  p50_ms: percentile(fanout, 50), p99_ms: percentile(fanout, 99), max_ms: Math.max(...fanout),
  first_p50_ms: percentile(firstArrivals, 50), driver_cpu_p50_ms: percentile(driverCpu, 50), ballots,
}) + "\n");
for (const socket of [chair, ...participants]) socket.close();
process.exit(0);
