/**
 * The landing page's stylesheet: dark and neutral, system fonts only (no
 * external fonts or CDNs), one column that fits a phone, buttons at least
 * 48 px high so they are easy to tap. The stage keeps the video's aspect
 * ratio and never grows taller than about 70% of the viewport, so the title
 * and the buttons stay in view on a desktop. Until something plays, the
 * stage is a skeleton: a dark gradient with a spinner that fades in after
 * 300 ms (a fast page never shows it) and turns on the compositor
 * (transform), not the main thread the player needs.
 *
 * `width` and `height` are validated integers; nothing else varies per page.
 */
export function landingPageStyles(width: number, height: number): string {
  const ratio = (width / height).toFixed(5);
  return `
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{color-scheme:dark;-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;background:#0c0d10 radial-gradient(120% 80% at 50% -10%,#23262e 0%,#0c0d10 60%) no-repeat;color:#eceef2;
font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
.page{width:100%;max-width:1120px;margin:0 auto;padding:max(16px,env(safe-area-inset-top)) 16px max(24px,env(safe-area-inset-bottom));
display:flex;flex-direction:column;align-items:center;gap:20px}
.head{width:100%;text-align:center}
h1{margin:8px 0 0;font-size:clamp(1.25rem,2.6vw + .6rem,2rem);line-height:1.2;font-weight:650;letter-spacing:-.01em;overflow-wrap:anywhere}
.desc{margin:6px auto 0;max-width:60ch;color:#a9aeb9;font-size:.975rem;overflow-wrap:anywhere}
.stage{position:relative;width:min(100%,calc(70vh * ${ratio}));aspect-ratio:${width}/${height};background:#000;border-radius:16px;overflow:hidden;
box-shadow:0 24px 60px -20px rgba(0,0,0,.7),0 0 0 1px rgba(255,255,255,.06)}
.stage::before{content:"";position:absolute;inset:0;background:linear-gradient(135deg,#14161b 0%,#1e2129 50%,#14161b 100%)}
.stage[data-mode=loading]::after{content:"";position:absolute;left:50%;top:50%;width:44px;height:44px;margin:-22px 0 0 -22px;border-radius:50%;
border:3px solid rgba(255,255,255,.12);border-top-color:rgba(255,255,255,.65);animation:mc-spin .9s linear infinite,mc-in .2s .3s both}
@keyframes mc-spin{to{transform:rotate(1turn)}}
@keyframes mc-in{from{opacity:0}}
.stage>.poster,.stage>.live,.stage>video{position:absolute;inset:0;width:100%;height:100%;border:0}
.stage>.poster{object-fit:contain;background:#000}
.stage>.poster:not([src]){visibility:hidden}
.stage>video{object-fit:contain;background:#000}
.stage>video.pending{visibility:hidden}
.stage>.live{z-index:1}
.stage>video{z-index:2}
.stage>video.pending{z-index:0}
.ctl{position:absolute;z-index:3;display:flex;gap:8px;left:12px;bottom:12px}
.ctl button,.bigplay{appearance:none;border:0;cursor:pointer;color:#fff;display:inline-flex;align-items:center;justify-content:center}
.ctl button{width:44px;height:44px;border-radius:50%;background:rgba(16,17,20,.62);backdrop-filter:blur(6px);-webkit-backdrop-filter:blur(6px);
box-shadow:0 0 0 1px rgba(255,255,255,.14)}
.ctl button:hover{background:rgba(16,17,20,.8)}
.ctl svg{width:20px;height:20px;fill:currentColor}
.ic-pause,.is-playing .ic-play,.ic-on,.is-on .ic-off{display:none}
.is-playing .ic-pause,.is-on .ic-on{display:block}
.bigplay{position:absolute;z-index:3;left:50%;top:50%;width:76px;height:76px;margin:-38px 0 0 -38px;border-radius:50%;
background:rgba(255,255,255,.92);color:#111;box-shadow:0 10px 30px rgba(0,0,0,.45)}
.bigplay svg{width:30px;height:30px;margin-left:4px;fill:currentColor}
.actions{position:relative;width:min(100%,720px);display:flex;flex-wrap:wrap;justify-content:center;gap:12px}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:8px;min-height:48px;padding:12px 24px;border-radius:999px;
font:inherit;font-weight:600;font-size:1rem;line-height:1.2;text-decoration:none;text-align:center;cursor:pointer;
border:1px solid transparent;overflow-wrap:anywhere;transition:background-color .15s,border-color .15s,transform .05s}
.btn:active{transform:translateY(1px)}
.btn svg{width:18px;height:18px;fill:currentColor;flex:none}
.primary{background:#f4f5f7;color:#0c0d10}
.primary:hover{background:#fff}
.secondary{background:rgba(255,255,255,.06);color:#eceef2;border-color:rgba(255,255,255,.18)}
.secondary:hover{background:rgba(255,255,255,.12)}
a:focus-visible,button:focus-visible{outline:3px solid #8ab4ff;outline-offset:3px}
.toast{position:fixed;left:50%;bottom:max(20px,env(safe-area-inset-bottom));transform:translate(-50%,20px);margin:0;padding:10px 18px;
border-radius:999px;background:#f4f5f7;color:#0c0d10;font-weight:600;font-size:.95rem;opacity:0;pointer-events:none;
transition:opacity .2s,transform .2s;z-index:10;max-width:calc(100% - 32px);overflow-wrap:anywhere}
.toast.show{opacity:1;transform:translate(-50%,0)}
@media (max-width:560px){.page{gap:16px;padding-left:12px;padding-right:12px}.stage{border-radius:12px}.actions>.btn{flex:1 1 100%}}
@media (prefers-reduced-motion:reduce){.btn,.toast{transition:none}.stage[data-mode=loading]::after{animation:mc-in .2s .3s both}}
`;
}
