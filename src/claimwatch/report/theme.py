"""The page's stylesheet: inline, so the report stays one file; print keeps colours, cards whole."""

CSS = """
:root { --ink:#1f2328; --muted:#5d6670; --line:#d5dae0; --soft:#f5f7f9;
  --contra:#b42318; --follow:#1f6feb; --quiet:#5d6670; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem 1.25rem 3rem; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .3rem; padding-top: .8rem;
  border-top: 3px solid var(--ink); }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
h4 { font-size: .9rem; margin: 1rem 0 .3rem; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); }
a { color: #0b57d0; }
.muted, .source { color: var(--muted); }
.tally span { margin-right: .8rem; }
table.claims { border-collapse: collapse; width: 100%; margin: 1rem 0 1.5rem; font-size: .92rem; }
table.claims th, table.claims td { text-align: left; padding: .45rem .5rem;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.claims th { background: var(--soft); font-weight: 600; }
table.claims td.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: 1rem; font-size: .8rem;
  font-weight: 600; white-space: nowrap; border: 1px solid currentColor; }
.st-contradicted { color: #fff; background: var(--contra); border-color: var(--contra); }
.st-followed-up { color: #fff; background: var(--follow); border-color: var(--follow); }
.st-unchallenged { color: var(--quiet); background: #fff; }
.k-contradiction { color: var(--contra); }
.k-follow_up { color: var(--follow); }
article.claim { border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem;
  margin: 1rem 0; break-inside: avoid-page; }
article.claim header { display: flex; gap: .8rem; align-items: baseline;
  justify-content: space-between; }
.quote { color: var(--muted); font-style: italic; margin: 0 0 .4rem; }
.counts { margin: .2rem 0; font-size: .9rem; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; font-size: .9rem; margin-bottom: .2rem; }
svg.chart { width: 100%; max-width: 880px; height: auto; display: block; }
svg.chart text { font-family: system-ui, sans-serif; font-size: 12px; fill: var(--ink); }
svg.chart text.tick, svg.chart text.note { fill: var(--muted); font-size: 11px; }
svg.chart text.value { font-size: 11px; font-weight: 600; }
svg.chart text.reference-label { fill: #333; font-size: 11px; font-style: italic; }
svg.chart text.lane-label.contra { fill: var(--contra); font-weight: 600; }
svg.chart line.axis { stroke: #888; stroke-width: 1; }
svg.chart line.grid { stroke: #e6e9ed; stroke-width: 1; }
svg.chart line.reference { stroke: #333; stroke-width: 1.6; stroke-dasharray: 6 4; }
svg.chart line.baseline-date { stroke: #999; stroke-width: 1; stroke-dasharray: 2 3; }
svg.chart rect.band { fill: #e9e4d4; opacity: .7; }
svg.chart rect.lane { fill: var(--soft); }
ol.evidence { list-style: none; padding: 0; margin: 0; }
ol.evidence li { margin: .6rem 0 .9rem; }
blockquote { margin: .3rem 0; padding: .2rem .9rem; border-left: 4px solid var(--line);
  background: var(--soft); }
li.contradiction blockquote { border-left-color: var(--contra); }
li.follow_up blockquote { border-left-color: var(--follow); }
mark { background: #ffe08a; font-weight: 600; padding: 0 .1em; }
.why, .meta, .sources { font-size: .88rem; margin: .15rem 0; }
.meta, .sources { color: var(--muted); }
table.feeds { border-collapse: collapse; width: 100%; font-size: .9rem; }
table.feeds td, table.feeds th { text-align: left; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); }
.failing { color: var(--contra); font-weight: 600; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
nav.filters { margin: .8rem 0 1rem; padding: .5rem .8rem; background: var(--soft);
  border-radius: 6px; font-size: .9rem; }
nav.filters p { margin: .2rem 0; }
nav.filters .label { font-weight: 600; margin-right: .4rem; }
nav.filters a.on { font-weight: 700; color: var(--ink); text-decoration: none; }
nav.filters details p { max-height: 12rem; overflow: auto; }
.showing { color: var(--muted); }
table.overview { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .4rem 0 1rem; }
table.overview caption { caption-side: bottom; text-align: left; color: var(--muted);
  font-size: .82rem; padding-top: .3rem; }
table.overview th, table.overview td { text-align: left; padding: .35rem .5rem;
  border-bottom: 1px solid var(--line); vertical-align: top; }
table.overview th { background: var(--soft); font-weight: 600; }
table.overview td.n { text-align: right; font-variant-numeric: tabular-nums; }
ol.activity, nav.toc ol { padding-left: 1.2rem; margin: .3rem 0 1rem; font-size: .9rem; }
ol.activity li { margin: .15rem 0; }
.when { display: inline-block; min-width: 8.2rem; color: var(--muted); }
nav.toc li { margin: .3rem 0; }
nav.toc small { color: var(--muted); line-height: 1.6; }
section.index details { display: inline-block; vertical-align: top; margin: 0 1rem .3rem 0;
  font-size: .9rem; }
section.index details[open] { display: block; }
summary { cursor: pointer; }
ul.quiet { list-style: none; padding: 0; margin: .3rem 0 1rem; font-size: .9rem; }
ul.quiet li { margin: .25rem 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
ul.quiet .badge { font-size: .72rem; }
details.quiet { margin: 1.2rem 0; padding: .6rem .8rem; border: 1px solid var(--line);
  border-radius: 6px; }
.badge.new { color: #8a5a00; border-color: #d9a400; background: #fff6d6; margin-left: .4rem; }
.badge.confirmed { color: #1d5e2b; border-color: #3d8b4f; background: #e7f4ea; margin-left: .4rem; }
.held { font-size: .9rem; color: var(--muted); margin: .2rem 0; }
.stages { font-size: .9rem; margin: .2rem 0; }
ul.earlier { list-style: none; padding: 0; margin: -.4rem 0 .5rem; font-size: .86rem;
  color: var(--muted); }
ul.earlier li { margin: .15rem 0; }
.calls { margin: .3rem 0; font-size: .85rem; }
.verdict, .hold { margin-right: .6rem; }
.v-confirmed { color: #fff; background: #1a7f37; border-color: #1a7f37; }
.v-dismissed { color: var(--muted); background: var(--soft); }
.v-seen, .h-closed { color: var(--muted); }
.h-muted { color: #8a5a00; background: #fff6d6; }
form.act, details.act { display: inline-block; margin: 0 .4rem 0 0; }
details.act form { display: inline; white-space: normal; }
form.act button, form.act select, details.act button, details.act input,
form.session button, form.session input { font: inherit; font-size: .82rem;
  padding: .05rem .45rem; margin: 0 .2rem 0 0; }
details.act input { width: 16rem; max-width: 60vw; }
form.session { margin: .5rem 0 0; font-size: .9rem; }
details.alert-why { font-size: .86rem; margin: .15rem 0; }
details.alert-why dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .8rem;
  margin: .3rem 0; }
details.alert-why dt { color: var(--muted); }
details.alert-why dd, details.alert-why p, details.alert-why ul { margin: 0; }
ol.evidence details.alert-why li { margin: .1rem 0; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  section.baseline > h2 { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  nav.filters, section.index, form.act, details.act, form.session { display: none; }
  ul.quiet li { white-space: normal; }
  table.claims, figure, li { break-inside: avoid; }
  svg.chart { max-width: 17cm; }
}
"""
