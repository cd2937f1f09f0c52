'use strict';
/** The statistics the bench scripts print: the median and a percentile of a list of numbers. */

/** @param {number[]} values */
function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** The smallest value with at least `p` percent of the values at or below it. @param {number[]} values @param {number} p */
function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

module.exports = { median, percentile };
