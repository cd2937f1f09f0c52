'use strict';
/**
 * Operations 3CX's server has but its spec does not describe, added where their resource exists:
 *
 * - Custom Prompt > Upload: `POST /customPrompts`, multipart/form-data with the file in part
 *   `file`, as 3CX's own console uploads prompts.
 * - Backup > Download: the backup file behind the entity's DownloadLink.
 *
 * Everything else the node offers comes from the spec. These are listed here, by hand, because no
 * spec says they exist; the request builder implements them (runtime/files.ts).
 */
const EXTRA_OPERATIONS = [
	{
		tag: 'CustomPrompts',
		operationId: 'UploadCustomPrompt',
		method: 'POST',
		path: '/customPrompts',
		file: 'upload',
		parameters: [],
		name: 'Upload',
		action: 'Upload a custom prompt',
		description: 'Upload a WAV or MP3 file from a binary field as a new custom prompt',
	},
	{
		tag: 'Backups',
		operationId: 'DownloadBackup',
		method: 'GET',
		path: '/Backups({FileName})',
		file: 'backup',
		parameters: [{ name: 'FileName', in: 'path', required: true, schema: { type: 'string' } }],
		name: 'Download',
		action: 'Download a backup',
		description: 'Download a backup file by name as binary data',
	},
];

/** Functions and actions whose answer may be a file: 3CX's Download*, Export* and Generate*File calls. */
function answersFile(callName) {
	return /^(Download|Export)/.test(callName) || /^Generate\w*File$/.test(callName);
}

module.exports = { EXTRA_OPERATIONS, answersFile };
