// The live meeting room: one Socket.IO connection to /meeting, a versioned state, pdf.js viewer.
//
// State discipline (mirrors meetings/live.py apply_patch): a change with version v is applied
// only on top of v-1; older ones are duplicates and dropped; a gap asks the server for a
// snapshot. Changes that arrive while a snapshot is on its way are buffered, then replayed.

const data = JSON.parse(document.getElementById("meeting-data").textContent);
const root = document.getElementById("live");
const pageRole = root.dataset.role; // chair, secretary, member, guest, projector
const $ = (selector) => root.querySelector(selector);
const $$ = (selector) => Array.from(root.querySelectorAll(selector));

let state = null;
let buffer = [];
let syncing = false;
let clockOffset = 0; // server seconds minus local seconds
let following = true;
let view = { documentId: null, page: 1 };
const roleLabels = { chair: "Chủ trì", secretary: "Thư ký", member: "Thành viên", guest: "Khách mời" };
const statusLabels = { scheduled: "Chưa khai mạc", open: "Đang họp", paused: "Tạm dừng", closed: "Đã bế mạc" };

const socket = window.io("/meeting", { reconnectionDelayMax: 2000 });
window.meetingRoom = { socket, get state() { return state; } }; // for tests and debugging

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

// Lists are updated in place (idiomorph, served from our own static files): a button the
// chair is about to press keeps its node and its focus while votes and check-ins arrive.
// Nodes carry stable ids; their buttons are handled by delegation (data-action), so a kept
// node needs no fresh listener.
function morph(container, children) {
  if (window.Idiomorph) {
    window.Idiomorph.morph(container, children, { morphStyle: "innerHTML" });
  } else {
    container.replaceChildren(...children);
  }
}

function act(action, payload, label, attrs = {}) {
  return el("button", { type: "button", "data-action": action, "data-payload": JSON.stringify(payload), ...attrs }, label);
}

function toast(message) {
  const box = $("[data-testid=toast]");
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

function send(event, payload = {}) {
  return new Promise((resolve) => {
    socket.timeout(10000).emit(event, payload, (err, reply) => {
      if (err) { toast("Mất kết nối; thao tác sẽ được gửi lại khi kết nối lại."); resolve(null); return; }
      if (!reply.ok) toast(reply.message);
      resolve(reply);
    });
  });
}

// ------------------------------------------------------------------ state and sync
function join() {
  syncing = true;
  $("[data-testid=connection]").textContent = "";
  socket.emit("join", { meeting_id: data.meeting_id }, (reply) => {
    if (!reply || !reply.ok) { toast(reply ? reply.message : "Không vào được phòng họp."); return; }
    setSnapshot(reply.snapshot);
  });
}

function resync() {
  if (syncing) return;
  syncing = true;
  socket.emit("snapshot", {}, (reply) => { if (reply && reply.ok) setSnapshot(reply.snapshot); });
}

function setSnapshot(snapshot) {
  const pending = buffer;
  buffer = [];
  syncing = false;
  state = snapshot;
  clockOffset = snapshot.server_time - Date.now() / 1000;
  for (const change of pending) applyChange(change);
  render();
}

function applyChange(change) {
  if (change.meeting_id !== data.meeting_id) return;
  if (state === null || syncing) { buffer.push(change); return; }
  if (change.version <= state.version) return; // duplicate
  if (change.version !== state.version + 1) { buffer.push(change); resync(); return; }
  for (const [path, value] of Object.entries(change.patch)) {
    const keys = path.split(".");
    let target = state;
    for (const key of keys.slice(0, -1)) target = target[key];
    target[keys[keys.length - 1]] = value;
  }
  state.version = change.version;
  render();
}

socket.on("connect", join);
socket.on("disconnect", () => { $("[data-testid=connection]").textContent = "Mất kết nối — đang kết nối lại…"; });
socket.on("change", applyChange);
socket.on("poll_progress", (progress) => {
  if (!state || progress.meeting_id !== data.meeting_id) return;
  const poll = state.polls[String(progress.poll_id)];
  if (!poll || poll.state !== "open") return;
  poll.voted = Math.max(poll.voted || 0, progress.voted);
  poll.eligible = progress.eligible;
  renderPolls();
});
socket.on("command_error", () => {}); // shown through the acknowledgement instead
socket.on("connect_error", () => { $("[data-testid=connection]").textContent = "Không kết nối được máy chủ — đang thử lại…"; });

// ------------------------------------------------------------------ rendering
function nameOf(userId) {
  const person = state.people[String(userId)];
  return person ? person.name : `#${userId}`;
}

function now() { return Date.now() / 1000 + clockOffset; }

function formatSeconds(seconds) {
  const sign = seconds < 0 ? "-" : "";
  const s = Math.abs(Math.round(seconds));
  return `${sign}${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function counts() {
  const tally = { present: 0, absent: 0, excused: 0 };
  let voters = 0;
  for (const [uid, mark] of Object.entries(state.attendance)) {
    tally[mark.status] += 1;
    if (mark.status === "present" && state.people[uid] && state.people[uid].votes) voters += 1;
  }
  return { ...tally, voters };
}

function render() {
  if (!state) return;
  const status = $("[data-testid=status]");
  status.textContent = statusLabels[state.status];
  status.dataset.state = state.status;
  const item = state.item && state.agenda.find((i) => i.id === state.item.id);
  $("[data-testid=item-title]").textContent = item ? item.title : "";
  const c = counts();
  $("[data-testid=counts]").textContent = `Có mặt ${c.present} · Vắng ${c.absent} · Vắng có lý do ${c.excused}`;
  const quorum = $("[data-testid=quorum]");
  quorum.textContent = c.voters >= state.quorum_needed
    ? `Đủ số lượng (${c.voters}/${state.quorum_needed})` : `Chưa đủ số lượng (${c.voters}/${state.quorum_needed})`;
  quorum.dataset.ok = String(c.voters >= state.quorum_needed);
  renderTimers();
  renderAgenda();
  renderSpeakers();
  renderPolls();
  renderAttendance();
  renderActions();
  renderDocumentsSelect();
  openItemDocument();
  if (following && state.presenter) show(state.presenter.document_id, state.presenter.page);
  renderFollow();
}

// The item's document opens with the item: when the chair starts an item and nothing is being
// presented, the chair's page presents the item's first document (everyone following sees it).
let autoOpenedItem = null;
function openItemDocument() {
  if (pageRole !== "chair" || state.status !== "open" || !state.item) return;
  if (autoOpenedItem === state.item.id) return;
  autoOpenedItem = state.item.id;
  if (state.presenter) return;
  const entry = Object.entries(state.documents).find(([id, doc]) => doc.item_id === state.item.id
    && !state.me.hidden_documents.includes(Number(id)));
  if (entry) send("present", { document_id: Number(entry[0]), page: 1 });
}

function renderTimers() {
  if (!state) return;
  const timer = $("[data-testid=timer]");
  if (state.item && state.status !== "closed") {
    const item = state.item;
    // The clock runs only while the session is open: paused and closed sessions freeze it
    // whatever the last patch said.
    const running = state.status === "open" && item.started_at;
    const elapsed = item.elapsed_s + (running ? now() - item.started_at : 0);
    const left = item.duration_s - elapsed;
    timer.textContent = `Còn ${formatSeconds(left)}`;
    timer.dataset.over = String(left < 0);
    timer.dataset.running = String(Boolean(running));
  } else {
    timer.textContent = "";
    timer.dataset.running = "false";
  }
  const speaker = $("[data-testid=speaker]");
  if (state.speaker) {
    const spoken = now() - state.speaker.started_at;
    const kind = state.speaker.queue === "question" ? "Đang chất vấn" : "Đang phát biểu";
    speaker.textContent = `${kind}: ${nameOf(state.speaker.user_id)} — ${formatSeconds(spoken)} / ${formatSeconds(state.speaker.limit_s)}`;
    speaker.dataset.over = String(spoken > state.speaker.limit_s);
  } else {
    speaker.textContent = "Chưa có người phát biểu.";
  }
  renderBanners();
}

function renderBanners() {
  const speaking = $("[data-testid=banner-speaking]");
  const mine = Boolean(state.speaker && state.me && state.speaker.user_id === state.me.user_id
    && pageRole !== "projector");
  speaking.hidden = !mine;
  if (mine) {
    const spoken = now() - state.speaker.started_at;
    speaking.textContent = `Bạn đang ${state.speaker.queue === "question" ? "chất vấn" : "phát biểu"} — ${formatSeconds(spoken)} / ${formatSeconds(state.speaker.limit_s)}`;
    speaking.dataset.over = String(spoken > state.speaker.limit_s);
  }
  const vote = $("[data-testid=banner-vote]");
  const open = Object.values(state.polls).filter((p) => p.state === "open");
  vote.hidden = open.length === 0;
  if (open.length) {
    const poll = open[0];
    const pending = pageRole !== "projector" && state.me.votes && !(String(poll.id) in state.me.ballots);
    vote.textContent = `Đang biểu quyết: ${poll.question}${pending ? " — mời bạn biểu quyết" : ""} (${poll.voted || 0}/${poll.eligible})`;
    vote.dataset.pending = String(pending);
  }
}

function renderAgenda() {
  for (const list of $$("[data-testid=agenda]")) {
    morph(list, state.agenda.map((item) => {
      const current = state.item && state.item.id === item.id;
      const li = el("li", { id: `agenda-${item.id}`, "aria-current": current ? "step" : null },
        `${item.title} (${Math.round(item.duration_s / 60)} phút)`);
      const conclusion = state.conclusions[String(item.id)];
      // pre-line (live.css): the secretary's line breaks stay.
      if (conclusion) li.append(el("div", { class: "conclusion muted", "data-testid": "conclusion" }, `Kết luận: ${conclusion}`));
      if (pageRole === "chair" && !current) {
        li.append(" ", act("goto_item", { item_id: item.id }, "Chuyển tới", { id: `goto-${item.id}` }));
      }
      return li;
    }));
  }
}

function renderSpeakers() {
  const me = state.me;
  const mark = state.attendance[String(me.user_id)];
  const checkIn = $("[data-action=check_in]");
  if (checkIn) checkIn.hidden = !mark || mark.status === "present";
  for (const queue of ["speak", "question"]) {
    const waiting = state.queues[queue];
    morph($(`[data-testid=queue-${queue}]`), waiting.map((uid) => {
      const li = el("li", { id: `queue-${queue}-${uid}` }, nameOf(uid));
      if (pageRole === "chair") {
        li.append(" ", act("grant_speak", { queue, user_id: uid },
          queue === "question" ? "Mời chất vấn" : "Mời phát biểu", { id: `grant-${queue}-${uid}` }));
      }
      return li;
    }));
    const button = $(`[data-action=request_speak][data-queue=${queue}]`);
    if (button) {
      const queued = waiting.includes(me.user_id);
      button.textContent = queued ? "Rút đăng ký" : (queue === "question" ? "Đăng ký chất vấn" : "Đăng ký phát biểu");
      button.dataset.queued = String(queued);
    }
  }
  const end = $("[data-action=end_speak]");
  if (end) end.hidden = !state.speaker || (pageRole !== "chair" && state.speaker.user_id !== me.user_id);
}

function renderPolls() {
  const box = $("[data-testid=polls]");
  const polls = Object.values(state.polls).sort((a, b) => b.id - a.id);
  morph(box, polls.map((poll) => {
    const voted = String(poll.id) in state.me.ballots;
    const card = el("div", { id: `poll-${poll.id}`, class: "poll", dataset: { pollId: poll.id, state: poll.state } },
      el("p", { class: "poll-question" }, poll.question, " ",
        el("small", { class: "muted" }, poll.secret ? "(bỏ phiếu kín)" : "(công khai)")));
    if (poll.rule) card.append(el("p", { class: "muted poll-rule" }, `Thông qua khi số tán thành ${poll.rule}.`));
    if (poll.state === "open") {
      card.append(el("p", { "data-testid": "poll-progress" }, `Đã biểu quyết: ${poll.voted || 0}/${poll.eligible}`));
      if (pageRole !== "projector" && state.me.votes && !voted) {
        card.append(el("div", { class: "row buttons" }, ...poll.options.map((option, index) =>
          act("vote", { poll_id: poll.id, choice: index }, option, { class: "vote", id: `vote-${poll.id}-${index}` }))));
      } else if (voted) {
        card.append(el("p", { class: "muted", "data-testid": "voted" }, "Bạn đã biểu quyết."));
      }
    }
    if (poll.state === "closed" && poll.result) {
      const total = poll.result.reduce((a, b) => a + b, 0);
      card.append(el("table", { class: "table result", "data-testid": "poll-result" },
        ...poll.options.map((option, index) => el("tr", {}, el("td", {}, option),
          el("td", {}, String(poll.result[index])),
          el("td", {}, total ? `${Math.round((100 * poll.result[index]) / total)}%` : "—")))));
      card.append(el("p", { class: "muted" }, `${poll.voted}/${poll.eligible} người biểu quyết.`));
      if (poll.verdict) {
        card.append(el("p", { class: `verdict ${poll.verdict.passed ? "passed" : "failed"}`,
          "data-testid": "poll-verdict", role: "status" }, poll.verdict.text));
      }
    }
    if (pageRole === "chair" && poll.state === "draft") {
      card.append(act("open_poll", { poll_id: poll.id }, "Mở biểu quyết", { id: `open-poll-${poll.id}` }));
    }
    if (pageRole === "chair" && poll.state === "open") {
      card.append(act("close_poll", { poll_id: poll.id }, "Kết thúc biểu quyết", { id: `close-poll-${poll.id}` }));
    }
    return card;
  }));
}

async function castVote(pollId, choice) {
  const reply = await send("vote", { poll_id: pollId, choice });
  if (reply && reply.ok) {
    state.me.ballots[String(pollId)] = choice;
    const poll = state.polls[String(pollId)];
    if (poll) poll.voted = Math.max(poll.voted || 0, reply.voted);
    renderPolls();
  }
}

function renderAttendance() {
  const list = $("[data-testid=attendance]");
  const organiser = pageRole === "chair" || pageRole === "secretary";
  const labels = { present: "Có mặt", absent: "Vắng", excused: "Vắng có lý do" };
  morph(list, Object.entries(state.people).map(([uid, person]) => {
    const mark = state.attendance[uid];
    const li = el("li", { id: `person-${uid}`, dataset: { status: mark.status } },
      `${person.name} — ${roleLabels[person.role] || ""}: ${labels[mark.status]}`);
    if (mark.status === "present" && mark.at) {
      li.append(` (${new Date(mark.at * 1000).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" })})`);
    }
    if (organiser && mark.status !== "present") {
      li.append(" ", act("check_in", { user_id: Number(uid), status: "present" }, "Có mặt", { id: `present-${uid}` }));
    }
    if (organiser && mark.status === "absent") {
      li.append(" ", act("excuse", { user_id: Number(uid) }, "Có lý do", { id: `excuse-${uid}` }));
    }
    return li;
  }));
}

function renderActions() {
  const list = $("[data-testid=actions]");
  if (!list) return;
  morph(list, state.actions.map((a, index) =>
    el("li", { id: `action-${a.task_id || index}` }, `${a.title} — ${a.assignee}, hạn ${new Date(a.deadline).toLocaleDateString("vi-VN")}`)));
  const select = $("select[name=assignee_id]");
  if (select && !select.options.length) {
    for (const person of data.people) select.append(el("option", { value: person.id }, person.name));
  }
}

function renderDocumentsSelect() {
  const select = $("[data-testid=document-select]");
  const entries = Object.entries(state.documents).filter(([id]) => !state.me.hidden_documents.includes(Number(id)));
  if (select.options.length !== entries.length) {
    select.replaceChildren(el("option", { value: "" }, "— Chọn tài liệu —"),
      ...entries.map(([id, doc]) => el("option", { value: id }, doc.title)));
  }
  select.value = view.documentId ? String(view.documentId) : "";
}

function renderFollow() {
  const followButton = $("[data-action=follow]");
  const presenting = Boolean(state && state.presenter);
  followButton.hidden = following || !presenting || pageRole === "chair" || pageRole === "projector";
  $("[data-testid=follow-state]").textContent = pageRole === "chair" || pageRole === "projector" ? ""
    : (following ? "Đang theo dõi người trình bày" : "Đang xem tự do");
}

setInterval(renderTimers, 1000);

// ------------------------------------------------------------------ pdf.js viewer
let pdfjs = null;
const documents = new Map(); // id -> Promise<PDFDocumentProxy>
let renderSeq = 0;
let rendering = Promise.resolve();

async function loadPdfjs() {
  if (!pdfjs) {
    pdfjs = await import(data.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = data.pdfjs_worker;
  }
  return pdfjs;
}

function loadDocument(documentId) {
  if (!documents.has(documentId)) {
    documents.set(documentId, loadPdfjs().then((lib) => lib.getDocument({
      url: data.document_urls[String(documentId)], cMapUrl: data.cmaps, cMapPacked: true,
      standardFontDataUrl: data.fonts, withCredentials: true,
      disableRange: true, disableStream: true, // one verified download per document
    }).promise));
  }
  return documents.get(documentId);
}

function show(documentId, page) {
  if (view.documentId === documentId && view.page === page && $("#viewer").dataset.renderedPage === String(page)
      && $("#viewer").dataset.documentId === String(documentId)) return;
  view = { documentId, page };
  const seq = ++renderSeq;
  rendering = rendering.then(() => draw(seq, documentId, page)).catch(() => toast("Không hiển thị được tài liệu."));
  renderNote();
}

async function draw(seq, documentId, page) {
  if (seq !== renderSeq) return; // a newer page was asked for meanwhile
  if (!data.document_urls[String(documentId)] || (state && state.me.hidden_documents.includes(documentId))) {
    $(".viewer-empty").textContent = "Bạn không có quyền xem tài liệu này.";
    $(".viewer-empty").hidden = false;
    return;
  }
  const pdf = await loadDocument(documentId);
  const number = Math.min(Math.max(1, page), pdf.numPages);
  const pdfPage = await pdf.getPage(number);
  const viewer = $("#viewer");
  const canvas = $("#pdf-canvas");
  const width = Math.max(320, viewer.clientWidth - 8);
  const base = pdfPage.getViewport({ scale: 1 });
  const viewport = pdfPage.getViewport({ scale: width / base.width });
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = `${Math.floor(viewport.width)}px`;
  canvas.style.height = `${Math.floor(viewport.height)}px`;
  await pdfPage.render({ canvasContext: canvas.getContext("2d"), viewport,
    transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null }).promise;
  if (seq !== renderSeq) return;
  $(".viewer-empty").hidden = true;
  viewer.dataset.documentId = String(documentId);
  viewer.dataset.renderedPage = String(number);
  viewer.dataset.pages = String(pdf.numPages);
  $("[data-testid=page-label]").textContent = `Trang ${number}/${pdf.numPages}`;
}

async function browse(documentId, page) {
  if (!documentId) return;
  const pdf = await loadDocument(documentId);
  const number = Math.min(Math.max(1, page), pdf.numPages);
  if (pageRole === "chair") {
    send("present", { document_id: documentId, page: number }); // everyone follows the chair
    return;
  }
  following = false;
  renderFollow();
  show(documentId, number);
}

// ------------------------------------------------------------------ private notes
const notes = new Map(data.notes.map((n) => [`${n.document_id}:${n.page}`, n.body]));
let noteTimer = null;

function renderNote() {
  const area = $("[data-testid=note]");
  if (!area) return;
  area.disabled = !view.documentId;
  area.value = notes.get(`${view.documentId}:${view.page}`) || "";
  $("[data-testid=note-page]").textContent = view.documentId ? `(trang ${view.page})` : "";
}

// ------------------------------------------------------------------ controls
root.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button || !state) return;
  const action = button.dataset.action;
  if (action === "prev" || action === "next") {
    const step = action === "prev" ? -1 : 1;
    const current = view.documentId ? view : (state.presenter ? { documentId: state.presenter.document_id, page: state.presenter.page } : null);
    if (current) browse(current.documentId, current.page + step);
  } else if (action === "follow") {
    following = true;
    if (state.presenter) show(state.presenter.document_id, state.presenter.page);
    renderFollow();
  } else if (action === "request_speak") {
    const queue = button.dataset.queue;
    send(button.dataset.queued === "true" ? "withdraw_speak" : "request_speak", { queue });
  } else if (action === "close") {
    if (window.confirm("Bế mạc phiên họp?")) send("close");
  } else if (action === "vote") {
    const payload = JSON.parse(button.dataset.payload);
    castVote(payload.poll_id, payload.choice);
  } else if (action === "excuse") {
    const reason = window.prompt("Lý do vắng mặt:") || "";
    send("check_in", { user_id: JSON.parse(button.dataset.payload).user_id, status: "excused", reason });
  } else if (action === "fullscreen") {
    const target = document.documentElement;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (target.requestFullscreen) target.requestFullscreen().catch(() => toast("Trình duyệt không cho phép toàn màn hình."));
  } else {
    send(action, button.dataset.payload ? JSON.parse(button.dataset.payload) : {});
  }
});

$("[data-testid=document-select]").addEventListener("change", (event) => {
  const id = Number(event.target.value);
  if (id) browse(id, 1);
});

const noteArea = $("[data-testid=note]");
if (noteArea) {
  noteArea.addEventListener("input", () => {
    const key = `${view.documentId}:${view.page}`;
    notes.set(key, noteArea.value);
    clearTimeout(noteTimer);
    const { documentId, page } = view;
    noteTimer = setTimeout(() => send("save_note", { document_id: documentId, page, body: noteArea.value }), 600);
  });
}

for (const form of $$("form[data-form]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = new FormData(form);
    let reply = null;
    if (form.dataset.form === "create_poll") {
      const options = String(values.get("options")).split("\n").map((o) => o.trim()).filter(Boolean);
      reply = await send("create_poll", { question: values.get("question"), options, secret: values.get("secret") === "on",
        majority_base: values.get("majority_base"), threshold: values.get("threshold"),
        item_id: state.item ? state.item.id : null });
    } else if (form.dataset.form === "conclude") {
      if (!state.item) { toast("Chưa có nội dung đang họp."); return; }
      reply = await send("conclude", { item_id: state.item.id, text: values.get("text") });
    } else if (form.dataset.form === "add_action") {
      reply = await send("add_action", { title: values.get("title"), assignee_id: Number(values.get("assignee_id")),
        // Typed dd/mm/yyyy; due at the end of office hours that day (read on the server).
        deadline: `${String(values.get("deadline")).trim()} 17:00`, item_id: state.item ? state.item.id : null });
    }
    if (reply && reply.ok) form.reset();
  });
}

window.addEventListener("resize", () => {
  if (view.documentId) {
    const { documentId, page } = view;
    view = { documentId: null, page: 0 };
    show(documentId, page);
  }
});
