// Used by test_any_text.py: what sticks out, on this page, as a list of
// [problem, element, ...]. Every element's box must lie inside the viewport
// (the projector's height too: it never scrolls) and inside the nearest
// ancestor that clips it, unless that ancestor shortens its text with an
// ellipsis on purpose. Participant texts (data-ptext) must carry dir="auto"
// or sit in a <bdi>.
(projector) => {
  const vw = document.documentElement.clientWidth, vh = window.innerHeight;
  const bad = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const skipped = el => el.closest('template, [hidden], .visually-hidden, details:not([open]) > :not(summary), svg');
  for (const el of document.querySelectorAll('body *')) {
    if (skipped(el)) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.position === 'fixed' && el.closest('.connection-banner')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > vw + 1 || r.left < -1) bad.push(['viewport-x', name(el), Math.round(r.left), Math.round(r.right)]);
    if (projector && (r.bottom > vh + 1 || r.top < -1)) bad.push(['viewport-y', name(el), Math.round(r.top), Math.round(r.bottom)]);
    if (cs.display !== 'inline' && cs.overflowX === 'visible' && el.scrollWidth > el.clientWidth + 2 && el.clientWidth > 0)
      bad.push(['wider-than-its-box', name(el), el.scrollWidth, el.clientWidth]);
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const ucs = getComputedStyle(up);
      if (ucs.overflowX === 'visible' && ucs.overflowY === 'visible') continue;
      if (['auto', 'scroll'].includes(ucs.overflowX) || ['auto', 'scroll'].includes(ucs.overflowY)) break;
      const u = up.getBoundingClientRect();
      if (r.right > u.right + 1 || r.left < u.left - 1 || r.bottom > u.bottom + 1 || r.top < u.top - 1)
        if (!(ucs.textOverflow === 'ellipsis' || ucs.webkitLineClamp !== 'none' && ucs.webkitLineClamp))
          bad.push(['cut-off-by', name(el), name(up)]);
      break;
    }
  }
  for (const el of document.querySelectorAll('[data-ptext]')) {
    if (el.getAttribute('dir') !== 'auto' && !el.closest('bdi')) bad.push(['no-dir-auto', name(el)]);
  }
  return bad;
}
