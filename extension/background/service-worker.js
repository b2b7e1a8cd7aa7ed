// The extension's service worker: owns the native host connection and routes messages from
// content scripts (page API, HiPKI XHR shim), the HiPKI popup page, the prompt window and the
// options page. Every listener is registered synchronously, as MV3 requires.
import { api, extensionOrigin } from './browser.js';
import { NativeHost } from './native-host.js';
import { OriginPolicy } from './origin-policy.js';
import { PromptManager } from './prompts.js';
import { Operations } from './operations.js';
import { PageRequests } from './page-requests.js';
import { HiPKIService } from './hipki-service.js';
import { syncHipkiRegistration } from './hipki-registration.js';
import { OptionsService } from './options-service.js';

const version = api.runtime.getManifest().version;
const extOrigin = extensionOrigin();
const host = new NativeHost();
const policy = new OriginPolicy(host, extOrigin);
const prompts = new PromptManager(host);
const ops = new Operations({ host, prompts });
const hipki = new HiPKIService({ policy, ops, version });
const pages = new PageRequests({ policy, ops, hipki });
const options = new OptionsService({ host, policy, ops, version, extOrigin });

const pageUrl = (path) => api.runtime.getURL(path);
// Our own extension pages (a popup opened by a portal is in a tab, so sender.tab may be set;
// content scripts never have an extension URL).
const fromPage = (sender, path) => sender.id === api.runtime.id && Boolean(sender.url?.startsWith(pageUrl(path)));

host.onEvent((event) => {
  if (event.event === 'pin-required') prompts.handlePinRequired(event).catch((e) => console.error(e));
  options.forwardEvent(event);
});

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (sender.id !== api.runtime.id || !msg || typeof msg !== 'object') return false;
  let reply = null;
  if (msg.type === 'page-request' && sender.tab && !sender.url?.startsWith(pageUrl(''))) {
    reply = pages.handle(msg, sender);
  } else if (msg.type === 'hipki-popup' && fromPage(sender, 'hipki/popup.html')) {
    // The origin here is the one the browser put on the portal's message to the popup.
    reply = hipki.handlePopup(String(msg.origin), msg.raw);
  } else if (msg.type === 'options' && fromPage(sender, 'ui/options.html')) {
    reply = options.handle(msg);
  }
  if (!reply) return false;
  reply.then(sendResponse, (err) => sendResponse({ error: { code: 'ERR_INTERNAL', message: String(err?.message ?? err) } }));
  return true;
});

api.runtime.onConnect.addListener((port) => {
  if (PromptManager.isPromptPort(port)) prompts.onConnect(port);
  else if (port.name === 'options-events' && fromPage(port.sender ?? {}, 'ui/options.html')) options.attachEvents(port);
  else port.disconnect();
});

api.tabs?.onRemoved.addListener((tabId) => ops.cancelTab(tabId));

function resync() {
  syncHipkiRegistration(policy).catch((err) => console.warn('pkibridge: HiPKI registration not updated:', err?.message ?? err));
}
api.runtime.onInstalled.addListener(resync);
api.runtime.onStartup.addListener(resync);
api.storage.onChanged.addListener((_changes, area) => {
  if (area === 'managed') resync();
});
policy.onChange(resync);
