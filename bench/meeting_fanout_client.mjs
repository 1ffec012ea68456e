// Benchmark driver for bench/meeting_fanout.py: N participants and a chair, all official
// socket.io-client connections in this one Node process (one clock for send and receive).
// Reads its configuration as JSON on stdin, prints one JSON object with the measurements.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const config = JSON.parse(readFileSync(0, "utf8"));
const require = createRequire(config.node_modules + "/");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = (message) => { process.stdout.write(JSON.stringify({ error: message }) + "\n"); process.exit(1); };

const urls = config.urls || [config.url];
let nextUrl = 0;

// Two ways to be a participant. "official": socket.io-client, as the browser runs it.
// "light" (default): the same Engine.IO 4 / Socket.IO 5 protocol spoken directly over a `ws`
// WebSocket — a real participant runs on its own device, so the per-message cost of 500
// socket.io-client instances sharing this one process would otherwise be measured as
// server latency. Both servers are measured with the same kind.
function connectOfficial(url, cookie) {
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
function connectLight(url, cookie) {
  const WebSocket = require("ws");
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, {
    headers: { Cookie: cookie, "User-Agent": config.user_agent }, perMessageDeflate: false,
  });
  const handlers = new Map();
  const pending = new Map();
  let nextId = 0;
  const client = {
    on: (event, fn) => handlers.set(event, fn),
    call: (event, payload) => new Promise((res, rej) => {
      const id = nextId++;
      const timer = setTimeout(() => { pending.delete(id); rej(new Error(`${event}: no reply`)); }, 30000);
      pending.set(id, (reply) => { clearTimeout(timer); res(reply); });
      ws.send(`42${NSP}${id}${JSON.stringify([event, payload])}`);
    }),
    close: () => ws.close(),
  };
  return new Promise((resolve, reject) => {
    ws.on("error", reject);
    ws.on("message", (raw) => {
      const text = raw.toString();
      if (text === "2") { ws.send("3"); return; } // Engine.IO ping → pong
      if (text[0] === "0") { ws.send(`40${NSP}`); return; } // open → join the namespace
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
    });
  });
}

function connect(cookie) {
  const url = urls[nextUrl++ % urls.length]; // participants spread over the server processes
  return config.client === "official" ? connectOfficial(url, cookie) : connectLight(url, cookie);
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
let last = 0;
let done = null;
for (const socket of participants) {
  socket.on("change", (change) => {
    const presenter = change.patch.presenter;
    if (presenter && presenter.page === expectedPage) {
      arrived += 1;
      last = performance.now();
      if (arrived === participants.length && done) done();
    }
  });
}
const fanout = [];
for (let i = 0; i < config.changes; i++) {
  expectedPage = 100 + i; // a page number not used before, so each change is recognisable
  arrived = 0;
  const all = new Promise((resolve) => { done = resolve; });
  const t0 = performance.now();
  const reply = await call(chair, "present", { document_id: config.document_id, page: expectedPage });
  if (!reply.ok) fail(`present refused: ${reply.message}`);
  await Promise.race([all, sleep(10000)]);
  if (arrived !== participants.length) fail(`only ${arrived}/${participants.length} got page ${expectedPage}`);
  fanout.push(last - t0);
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
  p50_ms: percentile(fanout, 50), p99_ms: percentile(fanout, 99), max_ms: Math.max(...fanout), ballots,
}) + "\n");
for (const socket of [chair, ...participants]) socket.close();
process.exit(0);
