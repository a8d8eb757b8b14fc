// Copy what the pages need from node_modules into static/dist, which Django's staticfiles serves.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const dist = join(root, "static", "dist");

mkdirSync(join(dist, "js"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(dist, "js", "govuk-frontend.min.js"));
cpSync(join(root, "static", "js"), join(dist, "js"), { recursive: true });
// Chart.js draws the charts over the accessible tables of /spend/ (static/js/charts.mjs); its
// source map too, which the manifest storage resolves.
for (const name of ["chart.umd.min.js", "chart.umd.min.js.map"]) {
  cpSync(join(root, "node_modules", "chart.js", "dist", name), join(dist, "js", name));
}
// GOV.UK's images are its crown and the Royal Arms, which a council service must not show, so
// none is copied. The compiled CSS still names the crest (for .govuk-footer__copyright-logo,
// which our footer never uses); a blank image stands in so every reference resolves.
mkdirSync(join(dist, "govuk", "assets", "images"), { recursive: true });
writeFileSync(
  join(dist, "govuk", "assets", "images", "govuk-crest.svg"),
  '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>\n',
);
