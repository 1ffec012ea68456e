// The format checker places the number, date and signature boxes (issue #11): a click on a
// page of the PDF preview (drawn by pdf_view.js) puts the chosen box's centre there, in PDF
// points from the page's bottom-left corner; the server checks and keeps the boxes.
const panel = document.getElementById("box-placement");
const pages = document.getElementById("pdf-pages");
const form = document.getElementById("box-placement-form");
const KINDS = ["number", "date", "signature"];

function field(kind, part) {
  return form.querySelector(`input[name="${kind}_${part}"]`);
}

function canvases() {
  return Array.from(pages.querySelectorAll("canvas"));
}

function draw() {
  pages.querySelectorAll(".placed-box").forEach((node) => node.remove());
  const sizes = JSON.parse(panel.dataset.sizes);
  const labels = JSON.parse(panel.dataset.labels);
  const sheets = JSON.parse(panel.dataset.pages);
  for (const kind of KINDS) {
    const page = Number(field(kind, "page").value);
    const canvas = canvases()[page - 1];
    if (!page || !canvas || !sheets[page - 1]) continue;
    const [width, height] = sheets[page - 1];
    const scale = canvas.clientWidth / width;
    const [w, h] = sizes[kind];
    const x = Number(field(kind, "x").value);
    const y = Number(field(kind, "y").value);
    const box = document.createElement("div");
    box.className = "placed-box";
    box.dataset.kind = kind;
    box.textContent = labels[kind];
    box.style.left = `${canvas.offsetLeft + (x - w / 2) * scale}px`;
    box.style.top = `${canvas.offsetTop + (height - y - h / 2) * scale}px`;
    box.style.width = `${w * scale}px`;
    box.style.height = `${h * scale}px`;
    pages.appendChild(box);
  }
}

function place(event) {
  const canvas = event.target;
  const index = canvases().indexOf(canvas);
  const sheets = JSON.parse(panel.dataset.pages);
  if (index < 0 || !sheets[index]) return;
  const [width, height] = sheets[index];
  const bounds = canvas.getBoundingClientRect();
  const x = ((event.clientX - bounds.left) / bounds.width) * width;
  const y = height - ((event.clientY - bounds.top) / bounds.height) * height;
  const chosen = form.querySelector('input[name="box_kind"]:checked');
  const kind = chosen ? chosen.value : "number";
  field(kind, "page").value = String(index + 1);
  field(kind, "x").value = x.toFixed(1);
  field(kind, "y").value = y.toFixed(1);
  form.querySelector(`[data-box-status="${kind}"]`).textContent =
    `(trang ${index + 1}, đã chọn)`;
  // The next box not yet placed is chosen for the next click.
  const next = KINDS.find((k) => !field(k, "page").value);
  if (next) form.querySelector(`input[name="box_kind"][value="${next}"]`).checked = true;
  draw();
}

function ready() {
  if (!pages.dataset.renderedPages) return false;
  pages.classList.add("placing");
  pages.addEventListener("click", (event) => {
    if (event.target instanceof HTMLCanvasElement) place(event);
  });
  window.addEventListener("resize", draw);
  draw();
  panel.dataset.ready = "yes";
  return true;
}

function complete(event) {
  const missing = KINDS.filter((k) => !field(k, "page").value);
  if (!missing.length) return;
  event.preventDefault();
  const labels = JSON.parse(panel.dataset.labels);
  let note = form.querySelector(".placement-missing");
  if (!note) {
    note = document.createElement("p");
    note.className = "flash flash-error placement-missing";
    form.prepend(note);
  }
  note.textContent = `Chưa đặt: ${missing.map((k) => labels[k]).join(", ")}. ` +
    "Hãy chọn ô rồi bấm vào bản xem trước.";
}

if (panel && pages && form) {
  form.addEventListener("submit", complete);
  // pdf_view.js marks the container once every page is drawn.
  const observer = new MutationObserver(() => { if (ready()) observer.disconnect(); });
  if (!ready()) observer.observe(pages, { attributes: true, attributeFilter: ["data-rendered-pages"] });
}
