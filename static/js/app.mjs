// Starts GOV.UK Frontend. The content security policy allows no inline script, so the classes
// GOV.UK's page template sets from an inline script are set here instead. A browser that runs
// this module supports ES modules, which is GOV.UK Frontend's own test for "supported".
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
