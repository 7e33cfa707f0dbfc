// Administration: customer fields, dispositions, ticket categories, SLA policies and scripts,
// as simple forms over the admin APIs.
import { api, currentUser } from './api.js';
import { $, el, fill, options, say } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';
import { topbar } from './nav.js';

const user = await currentUser();
await loadStrings('admin', user.language);
translatePage();
document.title = t('admin.title');
topbar($('header.topbar'), user, '/admin');

const status = $('#admin-status');
async function run(action) {
  try {
    await action();
    say(status, t('common.saved'), 4000);
  } catch (failure) {
    say(status, t('common.error', { message: failure.message }));
  }
}

// ---- customer fields (the whole list is saved at once) -------------------------------------
let fields = [];
async function loadFields() {
  fields = (await api('GET', '/api/v1/customer-fields')).fields;
  fill($('#fields-list'), fields.map((f, i) => el('tr', {},
    el('td', {}, f.key), el('td', {}, f.label), el('td', {}, describeKind(f.kind)),
    el('td', {}, el('button', { type: 'button', onclick: () => run(() => saveFields(fields.filter((_, j) => j !== i))) }, t('admin.remove'))))));
}
function describeKind(kind) {
  if (kind.type === 'money') return `money (${kind.currency})`;
  if (kind.type === 'choice') return `choice: ${kind.options.join(', ')}`;
  return kind.type;
}
async function saveFields(list) {
  await api('PUT', '/api/v1/customer-fields', { fields: list });
  await loadFields();
}
$('#field-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const type = $('#field-type').value;
  const extra = $('#field-extra').value.trim();
  const kind = type === 'money' ? { type, currency: extra || 'EUR' }
    : type === 'choice' ? { type, options: extra.split(',').map((s) => s.trim()).filter(Boolean) } : { type };
  run(async () => {
    await saveFields([...fields, { key: $('#field-key').value.trim(), label: $('#field-label').value.trim(), kind, required: false }]);
    $('#field-form').reset();
  });
});

// ---- queues: dispositions and scripts ------------------------------------------------------
const queues = (await api('GET', '/api/v1/queues')).queues.map((q) => q.name);
options($('#disposition-queue'), queues.map((q) => [q, q]));
options($('#script-queue'), queues.map((q) => [q, q]));

async function loadDispositions() {
  const queue = $('#disposition-queue').value;
  if (!queue) return;
  const list = await api('GET', `/api/v1/queues/${encodeURIComponent(queue)}/dispositions?include_inactive=true`);
  $('#disposition-required').checked = list.required;
  fill($('#dispositions-list'), list.dispositions.map((d) => el('li', { class: 'row' },
    el('span', {}, `${d.code} — ${d.label}`), d.active ? null : el('span', { class: 'badge' }, t('admin.inactive')),
    el('button', { type: 'button', onclick: () => run(async () => {
      await api('PUT', `/api/v1/dispositions/${d.id}`, { label: d.label, active: !d.active });
      await loadDispositions();
    }) }, d.active ? t('admin.deactivate') : t('admin.activate')))));
}
$('#disposition-queue').addEventListener('change', () => run(loadDispositions));
$('#disposition-required').addEventListener('change', () => run(() => api('PUT',
  `/api/v1/queues/${encodeURIComponent($('#disposition-queue').value)}/disposition-required`, { required: $('#disposition-required').checked })));
$('#disposition-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    await api('POST', `/api/v1/queues/${encodeURIComponent($('#disposition-queue').value)}/dispositions`,
      { code: $('#disposition-code').value.trim(), label: $('#disposition-label').value.trim() });
    $('#disposition-form').reset();
    await loadDispositions();
  });
});

// ---- categories ------------------------------------------------------------------------------
async function loadCategories() {
  const list = (await api('GET', '/api/v1/ticket-categories')).categories;
  fill($('#categories-list'), list.map((c) => el('li', {}, c.name)));
}
$('#category-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    await api('POST', '/api/v1/ticket-categories', { name: $('#category-name').value.trim() });
    $('#category-form').reset();
    await loadCategories();
  });
});

// ---- SLA policies --------------------------------------------------------------------------
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
async function loadSla() {
  const list = (await api('GET', '/api/v1/sla-policies')).policies;
  fill($('#sla-list'), PRIORITIES.map((priority) => {
    const policy = list.find((p) => p.priority === priority);
    const first = el('input', { type: 'number', min: 1, value: policy ? Math.round(policy.first_response_secs / 60) : '', 'aria-label': `${priority} ${t('admin.first_response')}` });
    const resolution = el('input', { type: 'number', min: 1, step: '0.5', value: policy ? policy.resolution_secs / 3600 : '', 'aria-label': `${priority} ${t('admin.resolution')}` });
    return el('tr', {}, el('td', {}, t(`ticket.priority.${priority}`)), el('td', {}, first), el('td', {}, resolution),
      el('td', {}, el('button', { type: 'button', onclick: () => run(() => api('PUT', `/api/v1/sla-policies/${priority}`, {
        first_response_secs: Math.round(Number(first.value) * 60), resolution_secs: Math.round(Number(resolution.value) * 3600),
      })) }, t('common.save'))));
  }));
}

// ---- scripts -------------------------------------------------------------------------------
async function loadScripts() {
  const list = (await api('GET', '/api/v1/scripts')).scripts;
  fill($('#scripts-list'), list.map((s) => el('li', { class: 'row' },
    el('span', {}, `${s.name} · v${s.active_version ?? '—'}`),
    el('button', { type: 'button', onclick: () => run(() => editScript(s.name)) }, t('admin.edit')))));
}
async function editScript(name) {
  const versions = (await api('GET', `/api/v1/scripts/${encodeURIComponent(name)}`)).versions;
  const current = versions.find((v) => v.active) || versions[versions.length - 1];
  $('#script-name').value = name;
  $('#script-body').value = current ? current.body : '';
}
$('#script-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(async () => {
    await api('PUT', `/api/v1/scripts/${encodeURIComponent($('#script-name').value.trim())}`, { body: $('#script-body').value, activate: true });
    await loadScripts();
  });
});
$('#script-link').addEventListener('click', () => run(() => api('PUT',
  `/api/v1/queues/${encodeURIComponent($('#script-queue').value)}/script`, { script: $('#script-name').value.trim() })));

await Promise.all([loadFields(), loadDispositions(), loadCategories(), loadSla(), loadScripts()].map((p) => p.catch((failure) => say(status, t('common.error', { message: failure.message })))));
