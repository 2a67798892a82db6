/** The studio's page: a static shell; studio.js builds everything in it. */
export function studioPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>mastercut studio</title>
<style>${STYLES}</style></head>
<body>
<header><strong>mastercut studio</strong><span id="status" role="status"></span></header>
<main>
  <nav id="templates" aria-label="Templates"></nav>
  <section id="center">
    <div id="build-error" role="alert" hidden></div>
    <div id="stage" aria-label="Variants"></div>
    <div id="transport">
      <button id="play" type="button">Play</button>
      <button id="prev" type="button" title="Previous frame (←)">◀</button>
      <button id="next" type="button" title="Next frame (→)">▶</button>
      <input id="scrubber" type="range" min="0" max="0" value="0" aria-label="Timeline">
      <span id="frame-label">frame <output id="frame">0</output> / <span id="last-frame">0</span> · <span id="time">0.00 s</span></span>
    </div>
  </section>
  <aside id="side">
    <h2 id="template-title"></h2>
    <p id="template-description"></p>
    <div class="row"><label for="examples">Example</label><select id="examples"></select></div>
    <form id="props-form" autocomplete="off"></form>
    <div id="props-error" class="error" role="alert"></div>
    <div class="row"><input id="example-name" placeholder="Example name" maxlength="60"><button id="save-example" type="button">Save as example</button></div>
    <div id="render-panel">
      <div class="row">
        <select id="format" aria-label="Format"><option>mp4</option><option>webm</option><option>gif</option><option>png</option><option>jpg</option></select>
        <button id="render" type="button">Render <span id="render-variant"></span></button>
      </div>
      <progress id="progress" max="1" value="0"></progress>
      <div id="render-status"></div>
      <a id="download" hidden></a>
    </div>
    <div id="live" hidden>
      <button id="copy-live-url" type="button">Copy Live URL</button>
      <input id="live-url" readonly aria-label="Live URL">
    </div>
  </aside>
</main>
<script src="/studio.js"></script>
</body></html>`;
}

const STYLES = `
:root{color-scheme:dark;--bg:#0d1117;--panel:#161b22;--line:#30363d;--text:#e6edf3;--muted:#8b949e;--accent:#ffb454;--bad:#ff7b72}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif}
header{display:flex;gap:16px;align-items:center;padding:10px 16px;border-bottom:1px solid var(--line)}
#status{color:var(--muted)}
main{display:grid;grid-template-columns:180px 1fr 340px;min-height:calc(100vh - 42px)}
nav{border-right:1px solid var(--line);padding:8px}
nav button{display:block;width:100%;text-align:left;margin:2px 0;padding:8px;background:none;border:0;border-radius:6px;color:var(--text);cursor:pointer}
nav button[aria-current=true]{background:var(--panel);color:var(--accent)}
#center{padding:16px;min-width:0}
#stage{display:flex;gap:16px;align-items:flex-end;justify-content:center;min-height:200px}
.variant{display:flex;flex-direction:column;gap:6px;cursor:pointer}
.variant span{color:var(--muted);font-size:12px}
.variant iframe{border:2px solid var(--line);border-radius:4px;background:#000;display:block}
.variant[data-active=true] iframe{border-color:var(--accent)}
.variant[data-active=true] span{color:var(--accent)}
#transport{display:flex;gap:8px;align-items:center;margin-top:16px}
#scrubber{flex:1}
#frame-label{font-variant-numeric:tabular-nums;color:var(--muted);min-width:190px}
#side{border-left:1px solid var(--line);padding:12px 16px;overflow:auto}
#side h2{margin:0 0 4px;font-size:16px}
#template-description{color:var(--muted);margin:0 0 12px}
.row{display:flex;gap:8px;align-items:center;margin:8px 0}
.row label{min-width:70px;color:var(--muted)}
form fieldset{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:4px 8px}
form legend{color:var(--muted)}
.field{margin:8px 0}
.field label{display:block;color:var(--muted);font-size:12px;margin-bottom:2px}
input,select,textarea,button{font:inherit;color:var(--text);background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:5px 8px}
input,select,textarea{width:100%}
.row input,.row select{width:auto;flex:1}
button{cursor:pointer}
button:hover{border-color:var(--accent)}
#render{background:var(--accent);color:#111;border-color:var(--accent);font-weight:600}
.field[data-invalid=true] input,.field[data-invalid=true] select,.field[data-invalid=true] textarea{border-color:var(--bad)}
.error,[data-error-for]{color:var(--bad);font-size:12px;min-height:0}
#build-error{white-space:pre-wrap;font:12px monospace;color:var(--bad);border:1px solid var(--bad);border-radius:6px;padding:8px;margin-bottom:12px}
progress{width:100%}
#render-panel,#live{border-top:1px solid var(--line);margin-top:12px;padding-top:8px}
#download{display:block;color:var(--accent);margin-top:4px}
#live input{margin-top:6px;font-size:12px}
`;
