// Clicking (or pressing Enter on) a region of the picture asks the extension to walk its start.
// Nothing else runs here; the picture itself is drawn by the extension.
(function () {
  const vscode = acquireVsCodeApi();
  function walk(el) {
    const region = el && el.closest && el.closest('[data-start]');
    if (region) vscode.postMessage({ type: 'walk', va: region.getAttribute('data-start') });
  }
  document.addEventListener('click', (e) => walk(e.target));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') walk(document.activeElement);
  });
})();
