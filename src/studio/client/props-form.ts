import type { Issue, JsonSchema } from './api.js';
import { el } from './dom.js';

/** How a field's text becomes a value. */
type Kind = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'json';

type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface PropsForm {
  /** The props the fields hold: nested like the schema, empty optional fields left out. */
  values(): Record<string, unknown>;
  /** Puts values in the fields (a missing one empties its field). */
  setValues(values: Record<string, unknown>): void;
  /** Shows each issue under its field; returns the messages that have no field. */
  showIssues(issues: readonly Issue[]): string[];
}

function kindOf(schema: JsonSchema): Kind {
  if (Array.isArray(schema.enum)) return 'enum';
  if (schema.type === 'string' || schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean') return schema.type;
  return 'json';
}

function inputFor(path: string, schema: JsonSchema, kind: Kind, required: boolean): Input {
  const attrs: Record<string, string> = { 'data-path': path, 'data-kind': kind, 'data-required': String(required), id: `prop-${path}`, name: path };
  if (kind === 'enum') {
    const select = el('select', undefined, attrs);
    if (!required) select.append(el('option', '', { value: '' }));
    for (const option of schema.enum!) select.append(el('option', String(option), { value: JSON.stringify(option) }));
    return select;
  }
  if (kind === 'json') return el('textarea', undefined, { ...attrs, rows: '3', spellcheck: 'false' });
  const input = el('input', undefined, attrs);
  if (kind === 'boolean') input.type = 'checkbox';
  else if (kind === 'integer' || kind === 'number') {
    input.type = 'number';
    input.step = kind === 'integer' ? '1' : 'any';
    if (schema.minimum !== undefined) input.min = String(schema.minimum);
    if (schema.maximum !== undefined) input.max = String(schema.maximum);
  } else {
    input.type = 'text';
    if (schema.maxLength !== undefined) input.maxLength = schema.maxLength;
  }
  return input;
}

function describe(schema: JsonSchema, kind: Kind): string {
  if (kind === 'string' && schema.maxLength !== undefined) return ` (${schema.minLength ?? 0}–${schema.maxLength} characters)`;
  if ((kind === 'integer' || kind === 'number') && schema.minimum !== undefined) return ` (${schema.minimum}–${schema.maximum ?? '∞'})`;
  return '';
}

/** Builds the fields of an object schema into `parent`, recursing into nested objects as fieldsets. */
function build(parent: HTMLElement, schema: JsonSchema, prefix: string): void {
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (child.type === 'object' && child.properties) {
      const fieldset = el('fieldset');
      fieldset.append(el('legend', key));
      build(fieldset, child, path);
      parent.append(fieldset);
      continue;
    }
    const kind = kindOf(child);
    const field = el('div', undefined, { class: 'field', 'data-field': path });
    const label = el('label', `${key}${required.has(key) ? '' : ' (optional)'}${describe(child, kind)}`, { for: `prop-${path}` });
    if (child.description) label.title = child.description;
    field.append(label, inputFor(path, child, kind, required.has(key)), el('div', '', { 'data-error-for': path }));
    parent.append(field);
  }
}

function readInput(input: Input): { present: boolean; value?: unknown } {
  const kind = input.dataset.kind as Kind;
  if (kind === 'boolean') return { present: true, value: (input as HTMLInputElement).checked };
  const text = input.value;
  if (text === '' && (kind !== 'string' || input.dataset.required !== 'true')) return { present: false };
  if (kind === 'integer' || kind === 'number') return { present: true, value: Number(text) };
  if (kind === 'enum') return { present: true, value: JSON.parse(text) };
  if (kind === 'json') {
    try {
      return { present: true, value: JSON.parse(text) };
    } catch {
      // The server says what is wrong with it.
      return { present: true, value: text };
    }
  }
  return { present: true, value: text };
}

function lookup(values: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), values);
}

/** Renders a form for a template's props JSON Schema; `onInput` runs on every edit. */
export function createPropsForm(form: HTMLFormElement, schema: JsonSchema, onInput: () => void): PropsForm {
  form.replaceChildren();
  build(form, schema, '');
  const inputs = (): Input[] => [...form.querySelectorAll<Input>('[data-path]')];
  form.oninput = onInput;
  form.onchange = onInput;
  form.onsubmit = (event) => event.preventDefault();

  return {
    values() {
      const out: Record<string, unknown> = {};
      for (const input of inputs()) {
        const { present, value } = readInput(input);
        if (!present) continue;
        const keys = input.dataset.path!.split('.');
        let at = out;
        for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
        at[keys[keys.length - 1]!] = value;
      }
      return out;
    },
    setValues(values) {
      for (const input of inputs()) {
        const value = lookup(values, input.dataset.path!);
        const kind = input.dataset.kind as Kind;
        if (kind === 'boolean') (input as HTMLInputElement).checked = value === true;
        else if (kind === 'enum') input.value = value === undefined ? '' : JSON.stringify(value);
        else if (kind === 'json') input.value = value === undefined ? '' : JSON.stringify(value);
        else input.value = value === undefined ? '' : String(value);
      }
    },
    showIssues(issues) {
      for (const slot of form.querySelectorAll<HTMLElement>('[data-error-for]')) slot.textContent = '';
      for (const field of form.querySelectorAll<HTMLElement>('[data-field]')) delete field.dataset.invalid;
      const unplaced: string[] = [];
      for (const issue of issues) {
        const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(issue.path)}"]`);
        if (!slot) {
          unplaced.push(issue.path === '(root)' ? issue.message : `${issue.path}: ${issue.message}`);
          continue;
        }
        slot.textContent = slot.textContent ? `${slot.textContent}; ${issue.message}` : issue.message;
        slot.closest<HTMLElement>('[data-field]')!.dataset.invalid = 'true';
      }
      return unplaced;
    },
  };
}
