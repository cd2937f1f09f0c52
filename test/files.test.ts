/**
 * Files end to end through n8n-core's RoutingNode: downloads become n8n binary data with the right
 * bytes, MIME type and file name; custom prompts go up as multipart/form-data; bad input stops
 * before anything is sent.
 */
import type { IBinaryData, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, xapiCredentials } from './helpers/harness';
import { byId, useXapiServer } from './helpers/setup';
import { parseMultipart, wav, zip } from './helpers/files';
import { binary, json, noContent, type XapiServer } from '../simulator';

const xapi = useXapiServer();
let server: XapiServer;
beforeEach(() => (server = xapi()));


async function run(parameters: INodeParameters, items?: INodeExecutionData[]) {
	return await runNode({ parameters, items, credentials: xapiCredentials(server) });
}

function bytes(data: IBinaryData): Buffer {
	return Buffer.from(data.data, 'base64');
}

describe('downloads', () => {
	it('a recording arrives as WAV binary data with its file name', async () => {
		const audio = wav();
		server.get(/DownloadRecording/, binary(audio, 'audio/wav', { filename: 'rec 42.wav' }));
		const { items, error } = await run({ resource: 'recordings', operation: 'downloadRecording', recId: 42 });
		expect(error).toBeUndefined();
		expect(server.apiRequests[0].rawApiPath).toBe('/Recordings/Pbx.DownloadRecording(recId=42)');
		expect(items).toHaveLength(1);
		const file = items[0].binary!.data;
		expect(file).toMatchObject({ mimeType: 'audio/wav', fileName: 'rec 42.wav' });
		expect(bytes(file).equals(audio)).toBe(true);
		expect(items[0].json).toEqual({ fileName: 'rec 42.wav', mimeType: 'audio/wav', fileSize: audio.length });
	});

	it('a CSV report goes into the binary field the user named', async () => {
		const csv = 'Call ID,From,To\n1,100,"O\'Brien, Ann"\n';
		server.get(/DownloadCallLog/, binary(Buffer.from(csv), 'text/csv; charset=utf-8', { filename: 'calllog.csv' }));
		const { items, error } = await run({
			resource: 'reportCallLogData',
			operation: 'downloadCallLog',
			periodFrom: '2025-01-01T00:00:00Z',
			periodTo: '2025-01-31T00:00:00Z',
			clientTimeZone: 'Europe/Berlin',
			binaryPropertyOutput: 'report',
		});
		expect(error).toBeUndefined();
		const file = items[0].binary!.report;
		expect(file).toMatchObject({ mimeType: 'text/csv', fileName: 'calllog.csv' });
		expect(bytes(file).toString()).toBe(csv);
	});

	it('a ZIP export without a file name gets one from its type', async () => {
		const archive = zip();
		server.get(/ExportExtensions/, binary(archive, 'application/zip'));
		const { items } = await run({ resource: 'users', operation: 'exportExtensions' });
		expect(items[0].binary!.data).toMatchObject({ mimeType: 'application/zip', fileName: 'exportExtensions.zip' });
		expect(bytes(items[0].binary!.data).equals(archive)).toBe(true);
	});

	it('a JSON answer of a download operation stays JSON', async () => {
		server.get(/ExportExtensions/, json({ value: 'queued' }));
		const { items } = await run({ resource: 'users', operation: 'exportExtensions' });
		expect(items[0].binary).toBeUndefined();
		expect(items[0].json).toEqual({ value: 'queued' });
	});

	it("a backup downloads from its DownloadLink: Backups('name') then the file, one token", async () => {
		const archive = zip('backup.xml', '<backup/>');
		server.get(/Backups\(/, json({ FileName: "nightly 'a'.zip", DownloadLink: '/xapi/v1/Backups/download/nightly.zip' }));
		server.get(/Backups\/download/, binary(archive, 'application/zip', { filename: 'nightly.zip' }));
		const { items, error } = await run({ resource: 'backups', operation: 'downloadBackup', backupKey: byId("nightly 'a'.zip") });
		expect(error).toBeUndefined();
		expect(server.apiRequests.map((r) => r.rawApiPath)).toEqual(["/Backups('nightly%20''a''.zip')", '/Backups/download/nightly.zip']);
		expect(server.tokenRequests).toHaveLength(1);
		expect(items[0].binary!.data).toMatchObject({ fileName: 'nightly.zip', mimeType: 'application/zip' });
		expect(bytes(items[0].binary!.data).equals(archive)).toBe(true);
	});

	it('refuses a DownloadLink that points to another server', async () => {
		server.get(/Backups\(/, json({ FileName: 'x.zip', DownloadLink: 'https://elsewhere.example/x.zip' }));
		const { error } = await run({ resource: 'backups', operation: 'downloadBackup', backupKey: byId('x.zip') });
		expect(error?.message).toMatch(/points to another server/);
		expect(server.apiRequests).toHaveLength(1);
	});
});

describe('custom prompt upload', () => {
	const audio = wav(4000);
	const item = (data: Buffer, mimeType: string, fileName: string): INodeExecutionData => ({
		json: {},
		binary: { prompt: { data: data.toString('base64'), mimeType, fileName, fileExtension: fileName.split('.').pop() } },
	});

	it('posts multipart/form-data with the file in part "file" to /customPrompts', async () => {
		server.post('/customPrompts', noContent());
		const { items, error } = await run(
			{ resource: 'customPrompts', operation: 'uploadCustomPrompt', binaryPropertyName: 'prompt' },
			[item(audio, 'audio/wav', 'welcome.wav')],
		);
		expect(error).toBeUndefined();
		const request = server.apiRequests[0];
		expect(request).toMatchObject({ method: 'POST', rawApiPath: '/customPrompts' });
		expect(request.contentType).toMatch(/^multipart\/form-data; boundary=/);
		const parts = parseMultipart(request.body, request.contentType);
		expect(parts).toHaveLength(1);
		expect(parts[0]).toMatchObject({ name: 'file', filename: 'welcome.wav', contentType: 'audio/wav' });
		expect(parts[0].data.equals(audio)).toBe(true);
		expect(items[0].json).toEqual({ success: true });
	});

	it.each([
		['a binary field that does not exist', { binaryPropertyName: 'nope' }, item(audio, 'audio/wav', 'a.wav'), /Input Binary Field "nope" does not exist/],
		['an empty file', { binaryPropertyName: 'prompt' }, item(Buffer.alloc(0), 'audio/wav', 'empty.wav'), /holds an empty file/],
		['a file of the wrong type', { binaryPropertyName: 'prompt' }, item(Buffer.from('%PDF-1.4'), 'application/pdf', 'a.pdf'), /must be a WAV or MP3 file/],
	])('refuses %s and sends nothing', async (_label, parameters, input, message) => {
		const { error } = await run({ resource: 'customPrompts', operation: 'uploadCustomPrompt', ...parameters }, [input]);
		expect(error?.message).toMatch(message);
		expect(server.requests).toHaveLength(0);
	});
});
