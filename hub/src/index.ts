/** @nephoran/hub — fleet intents, sites, enrollment and status rollup. The REST API arrives with its issue. */
export const HUB_PACKAGE = "@nephoran/hub";
