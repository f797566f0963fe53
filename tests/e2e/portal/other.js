// A third-origin page framed by the portal beside the app. `window.sendToSibling` posts to the
// app's frame, reached through the top window (`top.frames[0]`, the portal's first frame),
// to `target` ('*' unless a test names the app's origin). What it receives is recorded.

window.received = [];
window.addEventListener('message', (ev) => {
  window.received.push({ origin: ev.origin, data: ev.data });
});

window.sendToSibling = (msg, target = '*') => window.top.frames[0].postMessage(msg, target);
