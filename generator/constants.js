'use strict';
/**
 * Values the generated descriptions and the hand-written runtime must agree on. Defined here
 * once; the generator writes them into the descriptions and into nodes/client/generated/constants.ts,
 * which the runtime imports (nothing copies them by hand).
 */

/** Entities per XAPI page: Return All pages with this `$top`, Limit asks for at most this many at once. */
const PAGE_SIZE = 100;

/** The node parameter naming the output binary field a file answer goes into. */
const BINARY_OUTPUT_FIELD = 'binaryPropertyOutput';

/** The node parameter naming the input binary field that holds a file to upload. */
const BINARY_INPUT_FIELD = 'binaryPropertyName';

/** The OData system query options XAPI operations take, in the order the node offers them. */
const ODATA_QUERY_OPTIONS = ['$filter', '$search', '$orderby', '$select', '$expand', '$count', '$skip', '$top'];

/** The options of a list read: everything OData offers there but $top, which Limit sets. */
const LIST_OPTIONS = ODATA_QUERY_OPTIONS.filter((n) => n !== '$top');

module.exports = { PAGE_SIZE, BINARY_OUTPUT_FIELD, BINARY_INPUT_FIELD, ODATA_QUERY_OPTIONS, LIST_OPTIONS };
