/** The pages' stylesheet, served as /assets/ramp.css (the CSP allows no inline style). */
export const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.45; }
body { margin: 0; }
header { display: flex; justify-content: space-between; padding: .5rem 1rem; border-bottom: 1px solid #8884; }
.brand { font-weight: 700; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 .version { font-family: ui-monospace, monospace; }
dl.release { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
.waiting { padding: .5rem .75rem; border-left: 4px solid #c80; background: #c801; font-weight: 600; }
ol.stages { padding-left: 1.5rem; }
.stage { margin: .5rem 0; }
.stage .name { font-weight: 600; }
.stage.active { padding: .5rem; border: 1px solid #8886; border-radius: 4px; }
.phase { font-family: ui-monospace, monospace; padding: 0 .3rem; border: 1px solid #8886; border-radius: 3px; }
ol.steps, ul.approvals { margin: .25rem 0; }
a:focus, button:focus { outline: 2px solid; outline-offset: 2px; }
`;
