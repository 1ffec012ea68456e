// Sign what you see (issue #11): draw the rendered PDF of a draft with pdf.js, hash the bytes
// actually downloaded, and let the leader sign only once he has seen them. The sign form
// posts that hash; the server refuses if it is not the PDF it would sign.
const box = document.getElementById("pdf-pages");
const viewed = document.querySelector('input[name="viewed_sha256"]');
const signButton = viewed ? viewed.form.querySelector('button[type="submit"]') : null;

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function show() {
  if (!box) return;
  if (signButton) signButton.disabled = true; // not before the PDF is on screen
  const response = await fetch(box.dataset.url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  let digest = box.dataset.sha256;
  if (window.crypto && window.crypto.subtle) { // plain-HTTP intranets have no subtle crypto
    digest = hex(await window.crypto.subtle.digest("SHA-256", bytes));
  }
  if (digest !== box.dataset.sha256) {
    box.insertAdjacentHTML("beforebegin",
      '<p class="flash flash-error">Bản PDF tải về không khớp mã SHA-256 của văn bản; hãy tải lại trang.</p>');
  }
  if (viewed) viewed.value = digest;
  const lib = await import(box.dataset.pdfjs);
  lib.GlobalWorkerOptions.workerSrc = box.dataset.worker;
  const pdf = await lib.getDocument({ data: new Uint8Array(bytes.slice(0)), cMapUrl: box.dataset.cmaps,
    cMapPacked: true, standardFontDataUrl: box.dataset.fonts }).promise;
  box.textContent = "";
  const width = Math.max(320, box.clientWidth || 600);
  for (let number = 1; number <= Math.min(pdf.numPages, 30); number += 1) {
    const page = await pdf.getPage(number);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: width / base.width });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.setAttribute("aria-label", `Trang ${number}/${pdf.numPages}`);
    box.appendChild(canvas);
    await page.render({ canvasContext: canvas.getContext("2d"), viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null }).promise;
  }
  box.dataset.renderedPages = String(pdf.numPages);
  if (signButton) signButton.disabled = false;
}

show().catch(() => {
  if (box) box.textContent = "Không hiển thị được bản PDF; hãy tải về để xem trước khi ký.";
  if (signButton) signButton.disabled = false; // the server still checks the hash
});
