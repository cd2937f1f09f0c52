/**
 * Files of the action node: a download answer becomes an item with binary data (the client reads
 * the file, answer.ts), a custom prompt goes up as multipart/form-data, a backup is downloaded by
 * name through its DownloadLink.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
} from 'n8n-workflow';

import {
	BINARY_INPUT_FIELD,
	BINARY_OUTPUT_FIELD,
	binaryFromAnswer,
	generatedFrom,
	odataLiteral,
	pathSegment,
	serverUrl,
	xapiJson,
} from '../../client';

/** What a custom prompt may be: 3CX plays WAV (PCM) and MP3 prompts. */
const PROMPT_TYPES: Record<string, string[]> = {
	'audio/wav': ['wav'],
	'audio/x-wav': ['wav'],
	'audio/wave': ['wav'],
	'audio/vnd.wave': ['wav'],
	'audio/mpeg': ['mp3'],
	'audio/mp3': ['mp3'],
};

/** The downloaded file as an item: its name, type and size, the bytes as binary data. */
export async function fileItem(
	context: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	fallbackName: string,
): Promise<INodeExecutionData[]> {
	const field = String(context.getNodeParameter(BINARY_OUTPUT_FIELD, 'data') || 'data');
	const file = await binaryFromAnswer(context, response, { name: fallbackName });
	return [
		{
			json: { fileName: file.fileName, mimeType: file.binary.mimeType, fileSize: file.size },
			binary: { [field]: file.binary },
		},
	];
}

/** Asks for the raw bytes, so that a WAV or ZIP is never decoded as text. */
export function expectFile(requestOptions: IHttpRequestOptions): void {
	requestOptions.encoding = 'arraybuffer';
	requestOptions.json = false;
}

function fail(context: IExecuteSingleFunctions, message: string, description?: string): never {
	throw new NodeOperationError(context.getNode(), message, {
		itemIndex: context.getItemIndex(),
		description: description ?? 'Nothing was sent to 3CX.',
	});
}

/**
 * multipart/form-data with the input item's file in the part `file`, as 3CX's console uploads
 * custom prompts. Checked first: the binary field exists, is not empty and is a WAV or MP3.
 */
export async function promptUpload(context: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<void> {
	const field = String(context.getNodeParameter(BINARY_INPUT_FIELD, 'data') ?? '').trim();
	if (!field) fail(context, 'Input Binary Field is empty: name the binary property that holds the prompt');
	const item = context.getInputData();
	const binary = item.binary?.[field];
	if (!binary) {
		const available = Object.keys(item.binary ?? {});
		fail(
			context,
			`Input Binary Field "${field}" does not exist on the input item`,
			available.length
				? `The item has these binary fields: ${available.join(', ')}. Nothing was sent to 3CX.`
				: 'The item has no binary data. Read the file first (for example with Read/Write Files from Disk). Nothing was sent to 3CX.',
		);
	}
	const fileName = binary.fileName || `prompt.${binary.fileExtension ?? 'wav'}`;
	const extension = (fileName.split('.').pop() ?? '').toLowerCase();
	const mimeType = (binary.mimeType || '').toLowerCase();
	const allowedExtensions = PROMPT_TYPES[mimeType];
	if (!allowedExtensions && !['wav', 'mp3'].includes(extension)) {
		fail(context, `Input Binary Field "${field}" holds ${mimeType || 'a file of unknown type'} ("${fileName}"); a prompt must be a WAV or MP3 file`);
	}
	const buffer = await context.helpers.getBinaryDataBuffer(field);
	if (!buffer.length) fail(context, `Input Binary Field "${field}" holds an empty file ("${fileName}")`);
	const boundary = `----n8n3cx${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
	const safeName = fileName.replace(/["\r\n]/g, '_');
	const head = Buffer.from(
		`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\n` +
			`Content-Type: ${mimeType || 'application/octet-stream'}\r\n\r\n`,
	);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	requestOptions.body = Buffer.concat([head, buffer, tail]);
	requestOptions.headers = { ...(requestOptions.headers ?? {}), 'Content-Type': `multipart/form-data; boundary=${boundary}` };
	requestOptions.json = false;
}

/**
 * A backup by file name: its entity names the DownloadLink; the file comes from there, with the
 * same token. A relative link is read against the server's address.
 */
export async function backupDownload(
	context: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
	baseUrl: unknown,
	keyField: string,
	label: string,
): Promise<void> {
	const name = context.getNodeParameter(keyField, undefined, { extractValue: true });
	const literal = pathSegment(odataLiteral(name, 'str', label), label);
	const server = serverUrl(baseUrl);
	// the client's token discipline and error mapping, like every other request
	const entity = await xapiJson(context, { method: 'GET', path: `/Backups(${literal})`, builtFrom: generatedFrom }).catch((error: unknown) => {
		if (error instanceof NodeApiError && error.httpCode === '404') {
			error.description = 'No backup has this file name; Get Many lists the backups.';
		}
		return Promise.reject(error);
	});
	const link = entity.DownloadLink;
	if (typeof link !== 'string' || !link) {
		fail(context, `Backup "${String(name)}" has no DownloadLink`, '3CX did not say where to download this backup.');
	}
	const absolute = /^https?:\/\//i.test(link) ? link : `${server}/${link.replace(/^\/+/, '')}`;
	if (new URL(absolute).host !== new URL(server).host) {
		fail(context, `The DownloadLink of backup "${String(name)}" points to another server (${new URL(absolute).host})`,
			'The node only sends its token to the 3CX server of the credential.');
	}
	requestOptions.method = 'GET';
	requestOptions.url = absolute;
	requestOptions.baseURL = undefined;
	expectFile(requestOptions);
}
