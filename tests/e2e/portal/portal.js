// The embedding page of the end-to-end tests, written like the README's copy-paste parent.
// Everything it receives is recorded in `window.received` (origin, whether it came from the
// app's frame, data, arrival time) so a test can assert on exactly what arrived and from whom. It sizes the
// frame from `groups-console:height` and sends what a test asks with `window.sendToApp`.

const params = new URLSearchParams(location.search);
const APP = params.get('app'); // the app's origin, exactly
const frame = document.createElement('iframe');
frame.id = 'gc';
frame.name = 'gc';
frame.title = 'PostHog group types';
frame.style.width = '100%';
frame.style.border = '0';
frame.src = APP + (params.get('path') ?? '/?embed=1');

/** Every message this window received, in order. */
window.received = [];
/** The heights the app reported and the frame was sized to. */
window.heights = [];

window.addEventListener('message', (ev) => {
  const fromApp = ev.source === frame.contentWindow;
  window.received.push({ origin: ev.origin, fromApp, data: ev.data, at: Date.now() });
  if (ev.origin !== APP || !fromApp) return;
  const msg = ev.data;
  if (msg && msg.type === 'groups-console:height') {
    frame.style.height = msg.height + 'px';
    window.heights.push(msg.height);
  }
});

/** Posts `msg` to the app's frame, to `target` (the app's origin unless a test says otherwise). */
window.sendToApp = (msg, target = APP) => frame.contentWindow.postMessage(msg, target);

const holder = document.getElementById('frames');
holder.append(frame);
for (const [i, origin] of params.getAll('other').entries()) {
  const other = document.createElement('iframe');
  other.className = 'other';
  other.name = `other-${i}`;
  other.title = `Another site ${i + 1}`;
  other.src = origin + '/other.html';
  holder.append(other);
}
