// The login page: POST /api/v1/session, then the role's home page.
import { api, rememberSession } from './api.js';
import { $, say } from './dom.js';
import { loadStrings, t, translatePage } from './i18n.js';

const HOME = {
  agent: '/agent',
  admin: '/admin',
  team_leader: '/supervisor',
  supervisor: '/supervisor',
  manager: '/supervisor',
};

async function submit(event) {
  event.preventDefault();
  const username = $('#login-username').value.trim();
  const password = $('#login-password').value;
  const error = $('#login-error');
  if (!username || !password) {
    say(error, t('login.missing'));
    return;
  }
  $('#login-submit').disabled = true;
  try {
    const session = await api('POST', '/api/v1/session', { username, password }, { allowUnauthorized: true });
    rememberSession(session);
    location.assign(HOME[session.role] || '/tickets');
  } catch (failure) {
    say(error, failure.status === 401 || failure.status === 403 ? t('login.refused') : t('login.failed', { message: failure.message }));
    $('#login-password').select();
  } finally {
    $('#login-submit').disabled = false;
  }
}

await loadStrings('login');
translatePage();
document.title = t('login.title');
$('#login-form').addEventListener('submit', submit);
