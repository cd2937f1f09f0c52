'use strict';
/** Small real files for the file tests: a WAV (PCM, 8 kHz mono) and a ZIP, made in memory. */
const zlib = require('zlib');

function wav(samples = 8000) {
	const data = Buffer.alloc(samples * 2);
	for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 4) * 8000), i * 2);
	const header = Buffer.alloc(44);
	header.write('RIFF', 0);
	header.writeUInt32LE(36 + data.length, 4);
	header.write('WAVE', 8);
	header.write('fmt ', 12);
	header.writeUInt32LE(16, 16);
	header.writeUInt16LE(1, 20);
	header.writeUInt16LE(1, 22);
	header.writeUInt32LE(8000, 24);
	header.writeUInt32LE(16000, 28);
	header.writeUInt16LE(2, 32);
	header.writeUInt16LE(16, 34);
	header.write('data', 36);
	header.writeUInt32LE(data.length, 40);
	return Buffer.concat([header, data]);
}

/** A ZIP archive with one stored file (enough for byte-exact round trips). */
function zip(name = 'extensions.csv', content = 'Number,FirstName\n100,Ann\n') {
	const body = Buffer.from(content);
	const { crc32 } = /** @type {{ crc32?: (data: Buffer) => number }} */ (/** @type {unknown} */ (zlib));
	const crc = crc32 ? crc32(body) : 0;
	const local = Buffer.alloc(30);
	local.writeUInt32LE(0x04034b50, 0);
	local.writeUInt16LE(10, 4);
	local.writeUInt32LE(crc >>> 0, 14);
	local.writeUInt32LE(body.length, 18);
	local.writeUInt32LE(body.length, 22);
	local.writeUInt16LE(name.length, 26);
	return Buffer.concat([local, Buffer.from(name), body]);
}

/** The parts of a multipart/form-data body: [{ name, filename, contentType, data }]. */
function parseMultipart(body, contentType) {
	const boundary = /boundary=([^;]+)/.exec(contentType || '')[1];
	const parts = [];
	const delimiter = Buffer.from(`--${boundary}`);
	let start = body.indexOf(delimiter) + delimiter.length + 2;
	for (;;) {
		const end = body.indexOf(delimiter, start);
		if (end < 0) break;
		const part = body.subarray(start, end - 2);
		const split = part.indexOf('\r\n\r\n');
		const headers = part.subarray(0, split).toString();
		parts.push({
			name: /name="([^"]*)"/.exec(headers)?.[1],
			filename: /filename="([^"]*)"/.exec(headers)?.[1],
			contentType: /Content-Type: ([^\r\n]+)/i.exec(headers)?.[1],
			data: part.subarray(split + 4),
		});
		start = end + delimiter.length + 2;
	}
	return parts;
}

module.exports = { wav, zip, parseMultipart };
