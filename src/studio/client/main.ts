import { call, type TemplateDetail, type TemplateSummary, type Validation } from './api.js';
import { byId, el } from './dom.js';
import { createPropsForm, type PropsForm } from './props-form.js';
import { createRenderPanel } from './render-panel.js';
import { createStage, type Stage } from './stage.js';

// The studio page: pick a template, play every variant side by side, edit
// its props through a form made from its JSON Schema, render the active
// variant through the local engine, and follow saves (hot reload) without
// losing the frame or the props.

const root = document.documentElement;
const ui = {
  nav: byId('templates'),
  stage: byId('stage'),
  buildError: byId('build-error'),
  play: byId<HTMLButtonElement>('play'),
  prev: byId<HTMLButtonElement>('prev'),
  next: byId<HTMLButtonElement>('next'),
  scrubber: byId<HTMLInputElement>('scrubber'),
  frame: byId('frame'),
  lastFrame: byId('last-frame'),
  time: byId('time'),
  title: byId('template-title'),
  description: byId('template-description'),
  examples: byId<HTMLSelectElement>('examples'),
  form: byId<HTMLFormElement>('props-form'),
  propsError: byId('props-error'),
  exampleName: byId<HTMLInputElement>('example-name'),
  saveExample: byId<HTMLButtonElement>('save-example'),
  format: byId<HTMLSelectElement>('format'),
  render: byId<HTMLButtonElement>('render'),
  renderVariant: byId('render-variant'),
  progress: byId<HTMLProgressElement>('progress'),
  renderStatus: byId('render-status'),
  download: byId<HTMLAnchorElement>('download'),
  live: byId('live'),
  copyLiveUrl: byId<HTMLButtonElement>('copy-live-url'),
  liveUrl: byId<HTMLInputElement>('live-url'),
  status: byId('status'),
};

let detail: TemplateDetail | undefined;
let form: PropsForm | undefined;
let stage: Stage | undefined;
let active = '';
/** The last props the server accepted: what the players show and renders use. */
let props: Record<string, unknown> = {};
let validation = 0;
let debounce: ReturnType<typeof setTimeout> | undefined;

function showFrame(frame: number): void {
  if (!detail) return;
  ui.frame.textContent = String(frame);
  ui.scrubber.value = String(frame);
  ui.time.textContent = `${(frame / detail.fps).toFixed(2)} s`;
  root.dataset.frame = String(frame);
}

function setPlaying(playing: boolean): void {
  ui.play.textContent = playing ? 'Pause' : 'Play';
  root.dataset.playing = String(playing);
}

async function loadList(): Promise<TemplateSummary[]> {
  const { templates } = await call<{ templates: TemplateSummary[] }>('/api/templates');
  ui.nav.replaceChildren(
    ...templates.map((t) => {
      const button = el('button', t.title ?? t.id, { type: 'button', 'data-template': t.id, 'aria-current': String(t.id === detail?.id) });
      button.onclick = () => void openTemplate(t.id);
      return button;
    }),
  );
  return templates;
}

function fillExamples(): void {
  const names = Object.keys(detail!.examples);
  ui.examples.replaceChildren(el('option', 'default props', { value: '' }), ...names.map((name) => el('option', name, { value: name })));
}

/** Opens a template; `keep` carries the frame, props and variant over a reload. */
async function openTemplate(id: string, keep?: { frame: number; playing: boolean; values: Record<string, unknown>; next?: TemplateDetail }): Promise<void> {
  root.dataset.ready = 'false';
  detail = keep?.next ?? (await call<TemplateDetail>(`/api/templates/${encodeURIComponent(id)}`));
  location.hash = id;
  for (const button of ui.nav.querySelectorAll('button')) button.setAttribute('aria-current', String(button.dataset.template === id));
  ui.title.textContent = detail.title ?? detail.id;
  ui.description.textContent = detail.description ?? '';
  fillExamples();
  form = createPropsForm(ui.form, detail.propsSchema, scheduleValidation);
  const values = keep?.values ?? structuredClone(detail.defaultProps);
  form.setValues(values);
  props = values;
  if (!keep || !(active in detail.variants)) active = detail.defaultVariant;
  ui.renderVariant.textContent = active;
  root.dataset.active = active;
  ui.scrubber.max = String(detail.durationInFrames - 1);
  ui.lastFrame.textContent = String(detail.durationInFrames - 1);
  stage?.destroy();
  setPlaying(false);
  stage = createStage({
    container: ui.stage,
    bundleBase: `/bundles/${detail.id}/${detail.version}/`,
    variants: detail.variants,
    active,
    props,
    frame: Math.min(keep?.frame ?? 0, detail.durationInFrames - 1),
    onFrame: showFrame,
    onEnded: () => setPlaying(false),
    onSelect: selectVariant,
  });
  showFrame(stage.frame());
  await stage.ready;
  await validate();
  if (keep?.playing) {
    stage.play();
    setPlaying(true);
  }
  root.dataset.template = detail.id;
  root.dataset.version = detail.version;
  root.dataset.ready = 'true';
}

function selectVariant(variant: string): void {
  if (variant === active) return;
  active = variant;
  ui.renderVariant.textContent = variant;
  stage?.setActive(variant);
  root.dataset.active = variant;
}

function scheduleValidation(): void {
  clearTimeout(debounce);
  root.dataset.valid = 'pending';
  debounce = setTimeout(() => void validate(), 200);
}

/** Asks the server (the template's own zod schema) about the form; valid props go to the players. */
async function validate(): Promise<void> {
  if (!detail || !form) return;
  const mine = ++validation;
  const answer = await call<Validation>(`/api/templates/${detail.id}/validate`, { props: form.values() });
  if (mine !== validation) return;
  const unplaced = form.showIssues(answer.ok ? [] : answer.issues);
  ui.propsError.textContent = unplaced.join('\n');
  root.dataset.valid = String(answer.ok);
  if (!answer.ok) return;
  const changed = JSON.stringify(answer.props) !== JSON.stringify(props);
  props = answer.props;
  if (changed) stage?.setProps(props);
}

/** A save rebuilt the templates: reopen the current one with a new bundle, same frame and props. */
async function reload(): Promise<void> {
  ui.buildError.hidden = true;
  await loadList();
  if (!detail || !stage || !form) return;
  const next = await call<TemplateDetail>(`/api/templates/${detail.id}`);
  if (next.version !== detail.version || JSON.stringify(next.propsSchema) !== JSON.stringify(detail.propsSchema)) {
    await openTemplate(detail.id, { frame: stage.frame(), playing: stage.isPlaying(), values: form.values(), next });
  } else {
    detail = next;
    fillExamples();
  }
  ui.status.textContent = `reloaded at ${new Date().toLocaleTimeString()}`;
  root.dataset.reloads = String(Number(root.dataset.reloads ?? 0) + 1);
}

function step(delta: number): void {
  if (!stage || !detail) return;
  stage.pause();
  setPlaying(false);
  const frame = Math.max(0, Math.min(detail.durationInFrames - 1, stage.frame() + delta));
  stage.seek(frame);
  showFrame(frame);
}

ui.play.onclick = () => {
  if (!stage) return;
  if (stage.isPlaying()) stage.pause();
  else stage.play();
  setPlaying(stage.isPlaying());
};
ui.prev.onclick = () => step(-1);
ui.next.onclick = () => step(1);
ui.scrubber.oninput = () => step(Number(ui.scrubber.value) - (stage?.frame() ?? 0));
const panel = createRenderPanel(ui, () => (detail ? { templateId: detail.id, variant: active, props, frame: stage?.frame() ?? 0 } : undefined));
ui.render.onclick = () => void panel.render();
ui.copyLiveUrl.onclick = () => void panel.copyLiveUrl();
ui.examples.onchange = () => {
  if (!detail || !form) return;
  const example = ui.examples.value ? detail.examples[ui.examples.value] : {};
  form.setValues({ ...structuredClone(detail.defaultProps), ...structuredClone(example) });
  scheduleValidation();
};
ui.saveExample.onclick = async () => {
  if (!detail || !form) return;
  try {
    const { examples } = await call<{ examples: TemplateDetail['examples'] }>(`/api/templates/${detail.id}/examples`, { name: ui.exampleName.value, props: form.values() });
    detail.examples = examples;
    fillExamples();
    ui.examples.value = ui.exampleName.value.trim();
    ui.status.textContent = 'example saved';
  } catch (err) {
    ui.propsError.textContent = (err as Error).message;
  }
};
document.addEventListener('keydown', (event) => {
  if ((event.target as HTMLElement).closest('input, select, textarea')) return;
  if (event.key === 'ArrowLeft') step(-1);
  else if (event.key === 'ArrowRight') step(1);
  else if (event.key === ' ') {
    event.preventDefault();
    ui.play.click();
  }
});
window.addEventListener('resize', () => stage?.layout());

const events = new EventSource('/api/events');
events.onmessage = (message) => {
  const event = JSON.parse(message.data as string) as { type: string; message?: string };
  if (event.type === 'reload') void reload();
  if (event.type === 'build-error') {
    ui.buildError.textContent = event.message ?? 'the templates did not build';
    ui.buildError.hidden = false;
    root.dataset.buildError = 'true';
  }
};

async function start(): Promise<void> {
  const [templates, config] = await Promise.all([loadList(), call<{ farm: string | null }>('/api/config')]);
  ui.live.hidden = config.farm === null;
  const wanted = decodeURIComponent(location.hash.slice(1));
  const first = templates.find((t) => t.id === wanted) ?? templates[0];
  if (first) await openTemplate(first.id);
}

start().catch((err: unknown) => {
  ui.buildError.textContent = `the studio could not start: ${(err as Error).message}`;
  ui.buildError.hidden = false;
});
