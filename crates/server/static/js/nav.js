// The top bar of the signed-in pages: the pages this role may open, the user, log out.
import { api, forgetSession } from './api.js';
import { el, fill } from './dom.js';
import { currentLanguage, t } from './i18n.js';

const FLOOR = ['team_leader', 'supervisor', 'manager', 'admin'];

/** Fills `header.topbar` for `user` (the session), marking `current`. */
export function topbar(header, user, current) {
  const links = [];
  if (user.role === 'agent' || user.extension) links.push(['/agent', 'nav.agent']);
  if (FLOOR.includes(user.role)) links.push(['/supervisor', 'nav.supervisor'], ['/wallboard', 'nav.wallboard']);
  links.push(['/tickets', 'nav.tickets']);
  if (user.role === 'admin') links.push(['/admin', 'nav.admin']);
  fill(header,
    el('h1', {}, 'Plateau'),
    el('nav', { 'aria-label': t('nav.label') },
      links.map(([href, key]) => el('a', { href, 'aria-current': href === current ? 'page' : null }, t(key)))),
    el('span', { class: 'spacer' }),
    el('span', { class: 'user' }, user.display_name || user.username),
    languageSelect(user),
    el('button', { type: 'button', id: 'signout', onclick: signOut }, t('nav.sign_out')));
}

export async function signOut() {
  try { await api('DELETE', '/api/v1/session', undefined, { allowUnauthorized: true }); } catch { /* gone already */ }
  forgetSession();
  location.assign('/');
}

/** The user's language: saved with their account, the page reloaded in it. */
function languageSelect(user) {
  const select = el('select', { id: 'language', 'aria-label': t('nav.language') },
    el('option', { value: '' }, t('nav.language_browser')),
    el('option', { value: 'en', lang: 'en' }, 'English'),
    el('option', { value: 'fr', lang: 'fr' }, 'Français'));
  select.value = user.language || '';
  select.addEventListener('change', async () => {
    try {
      await api('PUT', '/api/v1/session/language', { language: select.value || null });
      location.reload();
    } catch {
      select.value = user.language || currentLanguage();
    }
  });
  return select;
}
