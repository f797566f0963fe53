// What the layout tests measure in a page, run inside it with `page.evaluate`: how much wider
// than its window the document is, which words are split across lines, and which texts are on
// screen. Shared by layout.test.mjs (the demo seed) and layout-data.test.mjs (anyone's data).

import assert from 'node:assert/strict';

/**
 * How much wider than its window the document is, and every word inside an element matching
 * `where` whose rects lie on more than one line (a word broken inside itself, at a hyphen or
 * anywhere).
 */
export function layoutProblems(where = 'th, td, label, button, a, h1, h2, h3, h4, legend, summary, [role="tab"], [role="option"]') {
  const doc = document.documentElement;
  const overflow = doc.scrollWidth - doc.clientWidth;
  const split = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement?.closest(where);
    if (!el || !el.checkVisibility({ visibilityProperty: true })) continue;
    for (const m of node.textContent.matchAll(/\S+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
      const lines = new Set(rects.map((r) => Math.round(r.bottom)));
      if (lines.size > 1) split.push(`"${m[0].slice(0, 60)}" in <${el.tagName.toLowerCase()}${el.className ? ` class="${el.className}"` : ''}>`);
    }
  }
  return { overflow, split };
}

/**
 * The texts of `main` a sighted user can see: each text node's content (a long one cut to
 * 120 characters) whose element is rendered and not clipped to nothing. Left out: the columns
 * that fold (`.fold`: the sentence of each row says the same) and the header row of a table
 * (cards write each column's name beside its value).
 */
export function visibleTexts() {
  const out = new Set();
  const main = document.querySelector('main');
  if (!main) return [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    const el = node.parentElement;
    if (!text || !el || el.closest('.fold, thead, .visually-hidden')) continue;
    if (!el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const shown = [...range.getClientRects()].some((r) => r.width > 0.5 && r.height > 0.5);
    if (shown) out.add(text.slice(0, 120));
  }
  return [...out];
}

/** Why the focused element is not fully usable: on `<body>`, or its centre under another element. */
export function focusProblem() {
  const el = document.activeElement;
  if (!el || el === document.body) return 'focus is on <body>';
  const r = el.getBoundingClientRect();
  const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
  const name = `<${el.tagName.toLowerCase()}> ${(el.getAttribute('aria-label') || el.textContent || el.id || '').trim().slice(0, 40)}`;
  if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) return `${name} is off screen`;
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit) || hit.contains(el)) ? null : `${name} is under <${hit?.tagName.toLowerCase()} class="${hit?.className}">`;
}

/**
 * Asserts no overflow and no split word on `page` at each `[width, scheme]` of `sizes`
 * (height 900), naming each failure `${label} ${width} ${scheme}`. Leaves the page at the last.
 */
export async function assertLayoutAt(page, label, sizes) {
  for (const [width, scheme] of sizes) {
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ colorScheme: scheme });
    assert.deepEqual(await page.evaluate(layoutProblems), { overflow: 0, split: [] }, `${label} ${width} ${scheme}`);
  }
}
