/**
 * Reading an answer: headers, the body as text or JSON, whether it is an HTML page, and a file
 * answer as n8n binary data. 3CX's spec describes none of the file traffic (it says JSON where the
 * server sends WAV), so the answer's Content-Type decides, not the spec. Nothing here sends a request.
 */
import type { IBinaryData, IN8nHttpFullResponse } from 'n8n-workflow';

/** File name endings for answers without a Content-Disposition name. */
const EXTENSIONS: Record<string, string> = {
	'audio/wav': '.wav',
	'audio/x-wav': '.wav',
	'audio/wave': '.wav',
	'audio/mpeg': '.mp3',
	'text/csv': '.csv',
	'application/zip': '.zip',
	'application/x-zip-compressed': '.zip',
	'application/xml': '.xml',
	'text/xml': '.xml',
	'text/plain': '.txt',
	'application/pdf': '.pdf',
	'application/gzip': '.gz',
	'application/x-7z-compressed': '.7z',
};

export function header(response: IN8nHttpFullResponse, name: string): string {
	const value = response.headers?.[name] ?? response.headers?.[name.toLowerCase()];
	return Array.isArray(value) ? String(value[0]) : value === undefined ? '' : String(value);
}

export function bodyText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return '';
}

/** The body as JSON when it is JSON text; anything else as it came. */
export function parseBody(body: unknown): unknown {
	const text = bodyText(body);
	if (!text) return body;
	try {
		return JSON.parse(text);
	} catch {
		return body;
	}
}

/** The bytes of an answer asked for as a file (n8n hands them over as a Buffer or an ArrayBuffer). */
export function bodyBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? ''));
}

/** Whether the body came as bytes (an answer asked for as a file). */
export function isBinaryBody(body: unknown): body is Buffer | ArrayBuffer {
	return Buffer.isBuffer(body) || body instanceof ArrayBuffer;
}

/** Whether the answer has no body to read (a 204, or nothing sent). */
export function isEmptyAnswer(response: IN8nHttpFullResponse): boolean {
	const body = response.body;
	return body === undefined || body === null || body === '' || response.statusCode === 204;
}

export function looksLikeHtml(response: IN8nHttpFullResponse): boolean {
	if (/text\/html/i.test(header(response, 'content-type'))) return true;
	return /^\s*<(!doctype html|html)/i.test(bodyText(response.body));
}

export function declaresJson(response: IN8nHttpFullResponse): boolean {
	return /^\s*application\/([\w.+-]*\+)?json\b/i.test(header(response, 'content-type'));
}

/** Whether an answer is a file rather than JSON (or an empty 204). */
export function isFileResponse(response: IN8nHttpFullResponse): boolean {
	const type = header(response, 'content-type').toLowerCase();
	if (/attachment/i.test(header(response, 'content-disposition'))) return true;
	if (!type) return false;
	return !/json|text\/html/.test(type);
}

/** The file name from Content-Disposition (RFC 6266, including filename*=UTF-8''...). */
export function fileNameOf(response: IN8nHttpFullResponse): string | undefined {
	const disposition = header(response, 'content-disposition');
	const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
	if (extended) {
		try {
			return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
		} catch {
			return extended[1].trim();
		}
	}
	const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(disposition);
	return plain ? (plain[2] ?? plain[1]).trim() : undefined;
}

/** The answer's media type without parameters, or `fallback` when it names none. */
export function mimeTypeOf(response: IN8nHttpFullResponse, fallback = 'application/octet-stream'): string {
	return header(response, 'content-type').split(';')[0].trim() || fallback;
}

/** What a file answer becomes: n8n binary data, and its size in bytes. */
export interface AnswerFile {
	binary: IBinaryData;
	fileName: string;
	size: number;
}

/**
 * A file answer as n8n binary data, without copying the bytes to text. The name comes from
 * Content-Disposition, else `fallback.name` (with the ending of its media type when it has none).
 */
export async function binaryFromAnswer(
	context: { helpers: { prepareBinaryData(buffer: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData> } },
	response: IN8nHttpFullResponse,
	fallback: { name: string; mimeType?: string },
): Promise<AnswerFile> {
	const buffer = bodyBuffer(response.body);
	const mimeType = mimeTypeOf(response, fallback.mimeType);
	const fileName =
		fileNameOf(response) ?? (/\.\w+$/.test(fallback.name) ? fallback.name : `${fallback.name}${EXTENSIONS[mimeType] ?? ''}`);
	const binary = await context.helpers.prepareBinaryData(buffer, fileName, mimeType);
	return { binary, fileName: binary.fileName ?? fileName, size: buffer.length };
}
