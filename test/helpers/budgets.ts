/**
 * The description's budgets: asserted by test/description.test.ts, and the figures the README
 * states are checked against them and against the built description by test/readme.test.ts.
 */
export const DESCRIPTION_KB_BUDGET = 360;
// 400 for the generated resources and the Custom API Call; Call Control (issue 18, hand-written) adds 9 fields.
export const PROPERTY_BUDGET = 405;
