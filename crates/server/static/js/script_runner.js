// The script runner of a call (`GET/POST /api/v1/calls/{id}/script`): the current page with
// its variables filled in, its questions as buttons or fields, and the path taken so far.
import { api } from './api.js';
import { el, fill } from './dom.js';
import { t } from './i18n.js';

/** Shows the call's script in `container`; `onAnswer(run)` after each answer. */
export async function runScript(container, interactionId, onAnswer = () => {}) {
  const base = `/api/v1/calls/${interactionId}/script`;
  const status = el('p', { class: 'error', role: 'alert' });

  function render(run) {
    const parts = [el('h2', {}, t('script.title'), run.script ? ` — ${run.script} v${run.version}` : '')];
    if (run.path && run.path.length) {
      parts.push(el('p', { class: 'path', id: 'script-path' }, t('script.path'), ': ', run.path.join(' → ')));
    }
    if (run.finished || !run.page) {
      parts.push(el('p', { id: 'script-finished', class: 'notice' }, t('script.finished')));
    } else {
      parts.push(renderPage(run.page));
    }
    if (run.answers && run.answers.length) {
      parts.push(el('h3', {}, t('script.answers')),
        el('ul', { class: 'plain', id: 'script-answers' },
          run.answers.map((a) => el('li', {}, `${a.key}: `, el('strong', {}, shown(a.value))))));
    }
    parts.push(status);
    fill(container, parts);
  }

  function renderPage(page) {
    return el('div', { class: 'script-page', id: 'script-page', dataset: { page: page.id } },
      el('p', { class: 'script-text' }, page.text),
      (page.questions || []).map(renderQuestion));
  }

  function renderQuestion(question) {
    const id = `script-q-${question.key}`;
    const choices = question.type === 'choice'
      ? question.options.map((o) => [o.value, o.label])
      : question.type === 'yes_no' ? [['yes', t('script.yes')], ['no', t('script.no')]] : null;
    if (choices) {
      return el('fieldset', { class: 'stack' },
        el('legend', {}, question.label),
        el('div', { class: 'row' }, choices.map(([value, label]) => el('button', {
          type: 'button', dataset: { key: question.key, value }, onclick: () => answer(question.key, value),
        }, label))));
    }
    const input = el('input', { id, type: question.type === 'number' ? 'number' : 'text', dataset: { key: question.key } });
    const submit = () => answer(question.key, input.value);
    input.addEventListener('keydown', (event) => { if (event.key === 'Enter') submit(); });
    return el('div', {},
      el('label', { for: id }, question.label),
      el('div', { class: 'row' }, input, el('button', { type: 'button', dataset: { submit: question.key }, onclick: submit }, t('script.ok'))));
  }

  async function answer(key, value) {
    try {
      const run = await api('POST', `${base}/answer`, { key, value: String(value) });
      render(run);
      onAnswer(run);
    } catch (failure) {
      status.textContent = t('common.error', { message: failure.message });
    }
  }

  try {
    render(await api('GET', base));
  } catch (failure) {
    fill(container, el('h2', {}, t('script.title')),
      el('p', { class: 'muted', id: 'script-none' }, failure.status === 404 ? t('script.none') : t('common.error', { message: failure.message })));
  }
}

function shown(value) {
  if (value && typeof value === 'object' && 'value' in value) return String(value.value);
  return String(value);
}
