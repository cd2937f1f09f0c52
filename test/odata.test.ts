import fc from 'fast-check';

import {
	bodyValue,
	FieldError,
	odataLiteral,
	parseJson,
	pathSegment,
	quoteString,
	toDateTime,
} from '../nodes/client/odata';

/** What an OData parser does with a quoted literal taken from a URL path segment. */
function decodeStringLiteral(segment: string): string {
	const literal = decodeURIComponent(segment);
	expect(literal.startsWith("'") && literal.endsWith("'")).toBe(true);
	const inner = literal.slice(1, -1);
	// Inside the quotes every ' must come in pairs: a lone quote would end the literal early.
	expect(inner.replace(/''/g, '')).not.toContain("'");
	return inner.replace(/''/g, "'");
}

describe('OData literals', () => {
	it('writes numbers, booleans, dates and GUIDs bare, strings quoted with doubled quotes', () => {
		expect(odataLiteral(29, 'int', 'ID')).toBe('29');
		expect(odataLiteral('29', 'int', 'ID')).toBe('29');
		expect(odataLiteral(true, 'bool', 'Flag')).toBe('true');
		expect(odataLiteral('2025-01-01T00:00:00Z', 'date', 'From')).toBe('2025-01-01T00:00:00Z');
		expect(odataLiteral('0F8FAD5B-D9CB-469F-A165-70867728950E', 'guid', 'ID')).toBe('0F8FAD5B-D9CB-469F-A165-70867728950E');
		expect(odataLiteral('100', 'str', 'Number')).toBe("'100'");
		expect(odataLiteral("O'Brien", 'str', 'Name')).toBe("'O''Brien'");
		expect(odataLiteral('', 'str', 'Filter', { allowEmpty: true })).toBe("''");
		expect(quoteString("''")).toBe("''''''");
	});

	it('escapes a slash and other reserved characters in the path segment', () => {
		expect(pathSegment(odataLiteral('Europe/Berlin', 'str', 'Zone'))).toBe("'Europe%2FBerlin'");
		expect(pathSegment(odataLiteral('a b?c#d%e&f', 'str', 'X'))).toBe("'a%20b%3Fc%23d%25e%26f'");
	});

	it('round-trips any text through quoting and URL encoding back to exactly the same text, every quote doubled', () => {
		// Texts that always hold a quote (drawn explicitly: random text almost never does), among
		// other reserved characters and any valid Unicode (whole characters, surrogate pairs included).
		const piece = fc.oneof(
			fc.constantFrom("'", "''", "'''", '%27', ')', '(', ',', '/', '?', '#', '%', '&', ' ', '\n'),
			fc.string({ unit: 'grapheme', maxLength: 8 }),
			fc.string({ unit: 'binary', maxLength: 8 }),
		);
		const withQuotes = fc
			.tuple(fc.array(piece, { maxLength: 10 }), fc.array(piece, { maxLength: 10 }))
			.map(([before, after]) => `${before.join('')}'${after.join('')}`);
		fc.assert(
			fc.property(withQuotes, (text) => {
				const quotes = text.split("'").length - 1;
				expect(quotes).toBeGreaterThan(0);
				const segment = pathSegment(odataLiteral(text, 'str', 'Name'));
				expect(segment).not.toMatch(/[/?#&\s]/);
				// every quote of the text doubled, plus the two that delimit the literal
				expect(decodeURIComponent(segment).split("'").length - 1).toBe(2 * quotes + 2);
				expect(decodeStringLiteral(segment)).toBe(text);
			}),
			{ numRuns: 500 },
		);
	});

	it('refuses text with a broken (unpaired) UTF-16 character instead of crashing', () => {
		expect(() => pathSegment(odataLiteral('a\uD800b', 'str', 'Name'), 'Name')).toThrow('Name: contains an invalid character');
	});

	it('keeps a 10 KB string with quotes, parentheses, commas and newlines as one literal', () => {
		const text = "it's (a), b/c?\n".repeat(700);
		const segment = pathSegment(odataLiteral(text, 'str', 'Name'));
		expect(segment).not.toMatch(/[/?#\s]/);
		expect(decodeStringLiteral(segment)).toBe(text);
	});

	it('writes any int32 bare and refuses anything that is not a whole number', () => {
		fc.assert(
			fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
				expect(odataLiteral(n, 'int', 'ID')).toBe(String(n));
			}),
		);
		for (const bad of [1.5, 'abc', '1e3', 2147483648, NaN, {}, '12 OR 1=1']) {
			expect(() => odataLiteral(bad, 'int', 'ID')).toThrow(FieldError);
		}
		expect(() => odataLiteral('abc', 'int', 'ID')).toThrow('ID: must be a whole number, got "abc"');
	});

	it('refuses missing and empty values where 3CX needs one', () => {
		expect(() => odataLiteral(undefined, 'int', 'ID')).toThrow('ID: is required');
		expect(() => odataLiteral('', 'str', 'File Name')).toThrow('File Name: is required and cannot be empty');
		expect(() => odataLiteral(null, 'date', 'Period From')).toThrow('Period From: is required');
		expect(() => odataLiteral('not-a-guid', 'guid', 'ID')).toThrow('must be a GUID');
	});
});

describe('dates', () => {
	it('keeps an explicit offset and reads a date without one in the workflow time zone', () => {
		expect(toDateTime('2025-03-01T10:00:00+01:00', 'D')).toBe('2025-03-01T10:00:00+01:00');
		expect(toDateTime('2025-03-01T10:00:00.123Z', 'D')).toBe('2025-03-01T10:00:00.123Z');
		expect(toDateTime('2025-03-01T10:00', 'D', 'UTC')).toBe('2025-03-01T10:00:00Z');
		expect(toDateTime('2025-01-15T10:00:00', 'D', 'Europe/Berlin')).toBe('2025-01-15T10:00:00+01:00');
		expect(toDateTime('2025-07-15T10:00:00', 'D', 'Europe/Berlin')).toBe('2025-07-15T10:00:00+02:00');
		expect(toDateTime('2025-07-15', 'D', 'America/New_York')).toBe('2025-07-15T00:00:00-04:00');
		expect(toDateTime(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), 'D')).toBe('2025-01-02T03:04:05.000Z');
		expect(toDateTime({ toISO: () => '2025-01-02T03:04:05.000+00:00' }, 'D')).toBe('2025-01-02T03:04:05.000+00:00');
	});

	it('refuses text that is not an ISO 8601 date', () => {
		for (const bad of ['yesterday', '01/02/2025', '2025-13-01T00:00:00Z', '2025-02-30', 1735689600000]) {
			expect(() => toDateTime(bad, 'Period From')).toThrow(/Period From: (must be an ISO 8601|is not a real date)/);
		}
	});
});

describe('JSON fields and body values', () => {
	it('parses JSON text and names the field when it does not parse', () => {
		expect(parseJson('{"a":[1,2]}', 'Routes')).toEqual({ a: [1, 2] });
		expect(parseJson({ a: 1 }, 'Routes')).toEqual({ a: 1 });
		expect(() => parseJson('{a:1}', 'Routes')).toThrow(/^Routes: is not valid JSON/);
	});

	it('types action parameters as the spec says', () => {
		expect(bodyValue('7', 'int', 'Days')).toBe(7);
		expect(bodyValue('false', 'bool', 'Enable')).toBe(false);
		expect(bodyValue('[1,2]', 'json', 'IDs')).toEqual([1, 2]);
		expect(bodyValue(100, 'str', 'Number')).toBe('100');
		expect(() => bodyValue('x', 'num', 'Footprint')).toThrow('Footprint: must be a number');
	});
});
