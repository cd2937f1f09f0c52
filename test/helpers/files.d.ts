export function wav(samples?: number): Buffer;
export function zip(name?: string, content?: string): Buffer;
export function parseMultipart(
	body: Buffer,
	contentType: string | undefined,
): Array<{ name?: string; filename?: string; contentType?: string; data: Buffer }>;
