// Keeps the HiPKI compatibility pieces in step with the allow-list: the MAIN-world script
// (content/hipki-main.js) is registered only for allowed portal origins, and the whole
// feature follows the managed policy `hipkiCompatibility` (default on).
import { api } from './browser.js';
import { toMatchPattern } from './origin-policy.js';

const SCRIPT_ID = 'pkibridge-hipki-main';
const RULESET_ID = 'hipki';

async function compatibilityEnabled() {
  try {
    const { hipkiCompatibility } = await api.storage.managed.get('hipkiCompatibility');
    return hipkiCompatibility !== false;
  } catch {
    return true;
  }
}

let running = Promise.resolve([]);

/** Resolves when the registration update started last has finished (successfully or not). */
export function hipkiSyncSettled() {
  return running.catch(() => []);
}

/**
 * Re-registers the MAIN-world script for the current allowed origins. When the host cannot be
 * asked (not installed, crashed), the previous registration is left as it is.
 * @returns {Promise<string[]>} the match patterns now registered
 */
export function syncHipkiRegistration(policy) {
  // One update at a time: register/unregister calls must not interleave.
  running = running.catch(() => []).then(() => update(policy));
  return running;
}

async function update(policy) {
  const enabled = await compatibilityEnabled();
  await api.declarativeNetRequest
    .updateEnabledRulesets(enabled ? { enableRulesetIds: [RULESET_ID] } : { disableRulesetIds: [RULESET_ID] })
    .catch(() => {});
  let patterns = [];
  if (enabled) {
    const allowed = await policy.effectivePatterns({ refresh: true });
    patterns = [...new Set(allowed.map(toMatchPattern).filter((p) => p?.startsWith('https://')))];
  }
  const existing = await api.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (existing.length > 0) {
    const same = JSON.stringify([...existing[0].matches].sort()) === JSON.stringify([...patterns].sort());
    if (same) return patterns;
    await api.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  }
  if (patterns.length > 0) {
    await api.scripting.registerContentScripts([
      {
        id: SCRIPT_ID,
        matches: patterns,
        js: ['content/hipki-main.js'],
        runAt: 'document_start',
        world: 'MAIN',
        allFrames: false,
        persistAcrossSessions: true,
      },
    ]);
  }
  return patterns;
}

export async function registeredHipkiPatterns() {
  const existing = await api.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] }).catch(() => []);
  return existing[0]?.matches ?? [];
}
