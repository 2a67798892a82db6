/**
 * The dashboard's stylesheet, inlined in a nonce'd `<style>`. Plain CSS,
 * system fonts, no web fonts or images: the page is one HTML answer plus
 * one cached script.
 */
export const DASHBOARD_STYLES = `
:root{color-scheme:light;--ink:#0f172a;--muted:#64748b;--line:#e2e8f0;--card:#fff;--bg:#f1f5f9;--accent:#4f46e5;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:1rem 1.5rem;background:var(--card);border-bottom:1px solid var(--line)}
header h1{font-size:1.15rem;margin:0}
header code{font-size:1rem}
.meta{margin:0;color:var(--muted);flex:1}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;background:#e0e7ff;color:#3730a3;font-weight:600}
.badge[data-state=done]{background:#dcfce7;color:#166534}
.badge[data-state=failed]{background:#fee2e2;color:var(--bad)}
button,.btn{font:inherit;padding:.45rem .9rem;border-radius:.4rem;border:1px solid var(--line);background:var(--card);cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
#mc-notice{margin:1rem 1.5rem 0;padding:.6rem .9rem;border-radius:.4rem;background:#fef3c7;color:#92400e}
main{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:1rem;padding:1rem 1.5rem 2rem}
@media (max-width:860px){main{grid-template-columns:minmax(0,1fr)}}
section{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1rem 1.1rem;min-width:0}
section.wide{grid-column:1/-1}
h2{font-size:.95rem;margin:0 0 .6rem;color:#334155}
dl+h2{margin-top:1.4rem}
.chart{position:relative;height:240px}
.chart.tall{height:280px}
dl{display:flex;flex-wrap:wrap;gap:.4rem 1.4rem;margin:.7rem 0 0}
.fig dt{color:var(--muted);font-size:.78rem}
.fig dd{margin:0;font-size:1.25rem;font-weight:650;font-variant-numeric:tabular-nums}
progress{width:100%;height:.9rem;accent-color:var(--accent)}
table{width:100%;border-collapse:collapse;margin-top:.7rem;font-variant-numeric:tabular-nums}
th,td{text-align:right;padding:.3rem .45rem;border-bottom:1px solid var(--line);white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead th{color:var(--muted);font-weight:600;font-size:.78rem}
td.empty{text-align:left;color:var(--muted)}
td.url{max-width:22rem;overflow:hidden;text-overflow:ellipsis}
td.reason,td.hashes{max-width:26rem;white-space:normal;text-align:left}
td.hashes{font:.8rem ui-monospace,monospace}
.scroll{overflow-x:auto}
.ltv-head{display:flex;align-items:center;gap:.6rem;margin-bottom:.6rem}
.ltv-head select{font:inherit;padding:.25rem .4rem}
.ltv-head .btn{margin-left:auto;text-decoration:none;color:var(--ink)}
.ltv-body{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.4fr);gap:1rem}
@media (max-width:860px){.ltv-body{grid-template-columns:minmax(0,1fr)}}
td.weak,dd.weak{color:var(--muted)}
.flag{display:inline-block;margin-left:.35rem;padding:0 .4rem;border-radius:999px;background:#fef3c7;color:#92400e;font-size:.72rem;font-weight:600}
ol.buckets{display:flex;flex-wrap:wrap;gap:.2rem 1rem;list-style:none;padding:0;margin:.6rem 0 0;color:var(--muted);font-size:.8rem}
ol.buckets span[data-metric]{color:var(--ink);font-weight:600;margin-left:.3rem}
.muted{color:var(--muted)}
.login{max-width:24rem;margin:12vh auto;background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1.5rem}
.login h1{font-size:1.2rem;margin:0 0 1rem}
.login label{display:block;margin-bottom:.3rem;color:#334155}
.login input{width:100%;font:inherit;padding:.5rem;border:1px solid #cbd5e1;border-radius:.4rem;margin-bottom:1rem}
.login .error{color:var(--bad);margin:0 0 1rem}
`;
