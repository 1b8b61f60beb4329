/**
 * The pages' stylesheet, served as /assets/ramp.css (the CSP allows no inline style). Meaning is
 * never in colour alone: every state has its mark (✔ ✖ ‖ ◌ ·) and its word; focus is always
 * visible; below 40rem the layout is one column (phones).
 */
export const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { margin: 0; }
header { display: flex; justify-content: space-between; gap: 1rem; padding: .5rem 1rem; border-bottom: 1px solid #8884; }
.brand { font-weight: 700; color: inherit; text-decoration: none; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
h1 .version { font-family: ui-monospace, monospace; }
dl.release { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.waiting { padding: .5rem .75rem; border-left: 4px solid #c80; background: #c801; font-weight: 600; }
.mark { display: inline-block; min-width: 1.2em; font-weight: 700; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
ol.stages { padding-left: 1.5rem; }
.stage { margin: .75rem 0; }
.stage .name { font-weight: 600; }
.stage.active { padding: .5rem; border: 2px solid #8888; border-radius: 4px; }
.phase { font-family: ui-monospace, monospace; padding: 0 .3rem; border: 1px solid #8886; border-radius: 3px; }
.detail { margin: .25rem 0 .5rem; }
ol.steps li[aria-current] { font-weight: 600; }
.weight, .status, .now, .attempt, .note { color: GrayText; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; padding: .2rem .5rem; border-bottom: 1px solid #8884; }
td { overflow-wrap: anywhere; }
.chart { display: block; margin: .25rem 0; }
.diff pre { margin: .25rem 0; padding: .25rem .5rem; overflow-x: auto; font-size: .85rem; border: 1px solid #8884; }
.diff .added { color: #080; } .diff .removed { color: #b00; }
.diff .file { margin: .25rem 0 0; }
.chart .failed { stroke-width: 2; }
.open { font-weight: 600; }
.refused, .why { font-style: italic; }
section.actions { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .75rem; }
section.actions h2 { grid-column: 1 / -1; margin-bottom: 0; }
form.action { display: flex; flex-direction: column; gap: .35rem; padding: .5rem; border: 1px solid #8886; border-radius: 4px; }
textarea { font: inherit; }
button { font: inherit; padding: .35rem .75rem; cursor: pointer; }
button[disabled] { cursor: not-allowed; }
.why { margin: 0; font-size: .9rem; }
a.temporal { font-size: .85rem; }
a:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible, summary:focus-visible { outline: 3px solid; outline-offset: 2px; }
/* The islands' notices (ui/notice.ts), above <main>: a status line, an alert with its hint. */
.notices { max-width: 64rem; margin: 0 auto; padding: 0 1rem; }
.notice-status:not(:empty) { margin-top: .5rem; padding: .35rem .75rem; border-left: 4px solid #8888; }
.notice-alert:not(:empty) { margin-top: .5rem; padding: .35rem .75rem; border-left: 4px solid #c00; background: #c001; }
.skip { position: absolute; left: -100vw; }
.skip:focus { position: static; display: block; padding: .5rem 1rem; }
@media (max-width: 40rem) {
  main { padding: .5rem; }
  dl.release { grid-template-columns: 1fr; }
  dd { margin-bottom: .35rem; }
  ol.stages { padding-left: 1rem; }
  table, thead, tbody, tr, td, th, caption { display: block; }
  thead { position: absolute; left: -100vw; }
  tr { padding: .25rem 0; border-bottom: 1px solid #8884; }
  td, th { border: 0; padding: .1rem 0; }
  .chart { width: 100%; height: auto; }
}
`;
